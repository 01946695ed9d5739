import { useEffect, useState } from "preact/hooks";
import type { VideoDiary } from "../api/client";
import { useApp } from "../context";
import { blockAt, blocksOf, keyframeUrl } from "../lib/diary";
import { useMedia } from "./Player";

const diaries = new Map<string, Promise<VideoDiary | null>>();

export function useDiary(videoId: string): VideoDiary | null {
  const { api } = useApp();
  const [d, setD] = useState<VideoDiary | null>(null);
  useEffect(() => {
    let live = true;
    let p = diaries.get(videoId);
    if (!p) {
      p = api.video(videoId).catch(() => null);
      diaries.set(videoId, p);
    }
    p.then((x) => live && setD(x));
    return () => {
      live = false;
    };
  }, [videoId]);
  return d;
}

export function forgetDiaries(): void {
  diaries.clear();
}

/** The keyframe of the block a moment falls in, as a small picture (or nothing while unknown). */
export function Thumb({ videoId, at }: { videoId: string; at: number }) {
  const { api } = useApp();
  const diary = useDiary(videoId);
  const media = useMedia(videoId);
  const block = diary ? blockAt(blocksOf(diary.diary), at) : null;
  const url = block && media ? block.keyframes.map((k) => keyframeUrl(media.keyframes ?? [], k)).find(Boolean) : null;
  return url ? <img class="thumb" src={api.url(url)} alt="" width={96} height={54} /> : <span class="thumb placeholder" aria-hidden="true" />;
}

export function TitleOf({ videoId }: { videoId: string }) {
  const d = useDiary(videoId);
  return <>{d?.video.title ?? videoId}</>;
}
