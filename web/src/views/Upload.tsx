import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type JobView, type VideoSummary } from "../api/client";
import { reason, statusText } from "../components/Status";
import { useApp } from "../context";
import { dayOf } from "../lib/time";
import { type PlannedUpload, type Refusal, bytes, nameOfKey, planUploads } from "../lib/upload";
import { type Transfer, TransferError, startTransfer } from "../lib/transfer";
import { dayHref } from "../router";

const POLL_MS = 1500;
// The worker's clock and this one may differ a little; a job created shortly before the upload
// finished (by this clock) is still this upload's.
const CLOCK_SLACK_MS = 120_000;

type Phase = "uploading" | "waiting" | "processing" | "completed" | "failed" | "cancelled" | "refused";

interface Row {
  id: number;
  name: string;
  size: number;
  subtitles: string | null;
  phase: Phase;
  sent: number; // 0..1
  message: string;
  note: string; // a passing trouble (a missed poll), cleared by the next good one
  key: string | null;
  finishedAt: number;
  jobId: number | null;
  videoId: string | null;
  date: string | null;
  transfer: Transfer | null;
}

let nextId = 1;

export function Upload() {
  const { api, config } = useApp();
  const [rows, setRows] = useState<Row[]>([]);
  const [refused, setRefused] = useState<Refusal<File>[]>([]);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const patch = (id: number, p: Partial<Row>) => setRows((rs) => rs.map((r) => (r.id === id ? { ...r, ...p } : r)));

  const start = async (u: PlannedUpload<File>) => {
    const id = nextId++;
    const row: Row = {
      id,
      name: u.video.name,
      size: u.video.size,
      subtitles: u.subtitles?.name ?? null,
      phase: "uploading",
      sent: 0,
      message: "asking for an upload link",
      note: "",
      key: null,
      finishedAt: 0,
      jobId: null,
      videoId: null,
      date: null,
      transfer: null,
    };
    setRows((rs) => [...rs, row]);
    try {
      const ticket = await api.ticket({ filename: u.video.name, size: u.video.size, content_type: u.contentType });
      if (rowsRef.current.find((r) => r.id === id)?.phase === "cancelled") return;
      // Subtitles first: the worker reads them when the video's arrival starts the job.
      if (u.subtitles) {
        patch(id, { message: `sending ${u.subtitles.name}` });
        const st = await api.ticket({
          filename: u.subtitles.name,
          size: u.subtitles.size,
          content_type: u.subtitleType!,
          beside: ticket.key,
        });
        const t = startTransfer(st, u.subtitles, () => undefined);
        patch(id, { transfer: t });
        await t.done;
      }
      const t = startTransfer(ticket, u.video, (f) => patch(id, { sent: f, message: `uploading ${Math.round(f * 100)}%` }));
      patch(id, { transfer: t, key: ticket.key });
      const { parts } = await t.done;
      if (ticket.method === "multipart") await api.completeUpload(ticket.key, ticket.upload_id!, parts);
      patch(id, { phase: "waiting", sent: 1, message: "uploaded; waiting for the worker", finishedAt: Date.now(), transfer: null });
    } catch (e) {
      if (e instanceof TransferError && e.cancelled) patch(id, { phase: "cancelled", message: "cancelled", transfer: null });
      else
        patch(id, {
          phase: e instanceof ApiError && e.status !== 0 ? "refused" : "failed",
          message: (e as Error).message,
          transfer: null,
        });
    }
  };

  const add = (files: File[]) => {
    const plan = planUploads(files, config.limits);
    setRefused(plan.refused);
    plan.uploads.forEach(start);
  };

  // Follow each upload: first its video appearing in the library (the worker creates the job when the
  // bucket's notification reaches it), then the job itself by ETag polling. One timer for all rows,
  // reading the rows as they are at each tick, so progress events of other uploads never postpone it.
  const anyOpen = rows.some((r) => r.phase === "waiting" || r.phase === "processing");
  useEffect(() => {
    if (!anyOpen) return;
    let live = true;
    let busy = false;
    const poll = async () => {
      if (busy) return;
      busy = true;
      const open = rowsRef.current.filter((r) => r.phase === "waiting" || r.phase === "processing");
      try {
        const waiting = open.filter((r) => r.jobId == null);
        let videos: VideoSummary[] = [];
        if (waiting.length) videos = (await api.videos({ limit: 100 })).items;
        const taken = new Set(rowsRef.current.map((r) => r.jobId).filter((j) => j != null));
        for (const r of waiting) {
          const v = videos.find(
            (v) => v.title === nameOfKey(r.key!) && !taken.has(v.job_id) && Date.parse(v.created_at) >= r.finishedAt - CLOCK_SLACK_MS,
          );
          if (v) {
            taken.add(v.job_id);
            if (live) patch(r.id, follow(v, config.timezone));
          }
        }
        for (const r of open.filter((r) => r.jobId != null)) {
          const next = follow(await api.job(r.jobId!), config.timezone);
          if (next.phase === "completed") {
            // The day a diary is filed under is the diary's own date.
            const v = await api.video(r.videoId!);
            next.date = (v.diary as { date?: string } | null)?.date ?? dayOf(v.video.recorded_at, config.timezone);
          }
          if (live) patch(r.id, next);
        }
      } catch (e) {
        // A missed poll is retried at the next tick; say so without losing the rows.
        if (live) open.forEach((r) => patch(r.id, { note: `could not check just now: ${(e as Error).message}` }));
      } finally {
        busy = false;
      }
    };
    const timer = window.setInterval(poll, POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [anyOpen]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    add([...(e.dataTransfer?.files ?? [])]);
  };

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">Upload</h1>
      <div
        class={`dropzone${dragging ? " dragging" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          Drop videos here ({config.limits.videoSuffixes.join(", ")}, up to {bytes(config.limits.maxVideoBytes)} each), with
          subtitles of the same name ({config.limits.subtitleSuffixes.join(", ")}) if you have them.
        </p>
        <label class="button">
          Choose files…
          <input
            ref={input}
            class="sr-only"
            type="file"
            multiple
            accept={[...config.limits.videoSuffixes, ...config.limits.subtitleSuffixes, "video/*"].join(",")}
            onChange={(e) => {
              const el = e.currentTarget as HTMLInputElement;
              add([...(el.files ?? [])]);
              el.value = "";
            }}
          />
        </label>
      </div>
      {refused.length > 0 && (
        <div class="error" role="alert">
          <p>Not sent:</p>
          <ul>
            {refused.map((r) => (
              <li key={r.file.name}>{r.reason}</li>
            ))}
          </ul>
        </div>
      )}
      <ul class="uploads" aria-label="Uploads">
        {rows.map((r) => (
          <li key={r.id} class={`upload phase-${r.phase}`} data-name={r.name}>
            <div class="upload-head">
              <b>{r.name}</b>
              <span class="muted">
                {bytes(r.size)}
                {r.subtitles && ` + ${r.subtitles}`}
              </span>
            </div>
            <progress
              max={1}
              value={r.phase === "processing" || r.phase === "uploading" || r.phase === "waiting" ? r.sent : r.phase === "completed" ? 1 : 0}
              aria-label={`${r.name}: ${r.phase === "uploading" ? "upload" : "processing"} progress`}
            />
            <p class={`upload-status${r.phase === "failed" || r.phase === "refused" ? " error" : ""}`} aria-live="polite">
              {r.phase === "failed" || r.phase === "refused" ? "Failed: " : ""}
              {r.message}
              {r.note && <span class="muted"> ({r.note})</span>}
              {r.phase === "completed" && r.videoId && r.date && (
                <>
                  {" "}
                  <a href={dayHref(r.date, r.videoId)}>Open its diary</a>
                </>
              )}
            </p>
            {r.phase === "uploading" && (
              <button
                type="button"
                class="secondary small"
                onClick={() => {
                  r.transfer?.abort();
                  patch(r.id, { phase: "cancelled", message: "cancelled" });
                }}
                aria-label={`Cancel ${r.name}`}
              >
                Cancel
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A row's state from its video or job: the stage and percent, or the reason in words. */
function follow(j: VideoSummary | JobView, tz: string | null): Partial<Row> {
  const jobId = "job_id" in j ? j.job_id : j.id;
  const base = { jobId, videoId: j.video_id, message: statusText(j), note: "" };
  if (j.status === "completed") {
    const when = "recorded_at" in j ? j.recorded_at : null;
    return { ...base, phase: "completed", sent: 1, date: dayOf(when, tz), message: "completed" };
  }
  if (j.status === "failed") return { ...base, phase: "failed", message: reason(j.error) };
  return { ...base, phase: "processing", sent: j.progress ?? 0 };
}
