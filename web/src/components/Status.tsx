import type { JobView, VideoSummary } from "../api/client";

const STAGE_WORDS: Record<string, string> = {
  probe: "reading the file",
  scenes: "finding scenes",
  audio: "extracting sound",
  transcribe: "transcribing",
  vision: "looking at keyframes",
  blocks: "cutting into blocks",
  summarize: "summarizing",
  diary: "writing the diary",
  chunk: "preparing the index",
  index: "indexing",
  publish: "saving the results",
  done: "done",
};

export function stageWords(stage: string | null | undefined): string {
  if (!stage) return "";
  return STAGE_WORDS[stage] ?? stage.replace(/_/g, " ");
}

/** A job's error for a person: the worker prefixes its exception's class name, which says nothing to them. */
export function reason(error: string | null | undefined): string {
  const text = (error ?? "").replace(/^[A-Z][A-Za-z]*(Error|Exception): /, "").trim();
  return text || "no reason was recorded";
}

type Job = Pick<VideoSummary | JobView, "status" | "stage" | "progress" | "error">;

/** The job's state in words: "processing — transcribing, 40%", "failed: <reason>". */
export function statusText(j: Job): string {
  switch (j.status) {
    case "queued":
      return "queued";
    case "processing": {
      const stage = stageWords(j.stage);
      return `processing${stage ? ` — ${stage}` : ""}, ${Math.round((j.progress ?? 0) * 100)}%`;
    }
    case "failed":
      return `failed: ${reason(j.error)}`;
    default:
      return j.status;
  }
}

export function Status({ video }: { video: Job }) {
  return (
    <span class={`status status-${video.status}`}>
      {video.status === "processing" && (
        <progress max={1} value={video.progress ?? 0} aria-label="Processing progress" />
      )}
      <span>{statusText(video)}</span>
    </span>
  );
}
