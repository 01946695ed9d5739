import { useEffect, useRef, useState } from "preact/hooks";
import type { MediaLinks } from "../api/client";
import { useApp } from "../context";

const mediaCache = new Map<string, Promise<MediaLinks>>();

/** The playback links of a video, fetched once per page view (presigned links expire, so not longer). */
export function useMedia(videoId: string | null): MediaLinks | null {
  const { api } = useApp();
  const [media, setMedia] = useState<MediaLinks | null>(null);
  useEffect(() => {
    setMedia(null);
    if (!videoId) return;
    let live = true;
    let p = mediaCache.get(videoId);
    if (!p) {
      p = api.media(videoId);
      mediaCache.set(videoId, p);
      p.catch(() => mediaCache.delete(videoId));
    }
    p.then((m) => live && setMedia(m)).catch(() => live && setMedia(null));
    return () => {
      live = false;
    };
  }, [videoId]);
  return media;
}

export function forgetMedia(videoId: string): void {
  mediaCache.delete(videoId);
}

export interface PlayerHandle {
  seek: (t: number) => void;
}

interface Props {
  videoId: string | null;
  title: string;
  handle: { current: PlayerHandle | null };
  onTime?: (t: number) => void;
}

/** A <video> that other parts of the page seek: `handle.current.seek(t)` jumps there and plays. */
export function Player({ videoId, title, handle, onTime }: Props) {
  const { api } = useApp();
  const media = useMedia(videoId);
  const ref = useRef<HTMLVideoElement>(null);
  const pending = useRef<number | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => setFailed(false), [videoId]);

  handle.current = {
    seek(t: number) {
      const v = ref.current;
      if (!v || v.readyState < 1) {
        pending.current = t; // applied once the metadata is in
        return;
      }
      v.currentTime = t;
      // A refused play (autoplay policy) leaves the player paused at the moment: not an error.
      v.play().catch(() => undefined);
    },
  };

  const ready = () => {
    const t = pending.current;
    pending.current = null;
    if (t != null) handle.current?.seek(t);
  };

  if (!videoId) return <div class="player empty">Choose a video to play.</div>;
  // Links of the previous video are never played for this one while the new ones load.
  const src = media?.video_id === videoId && media.video_url ? api.url(media.video_url) : null;
  return (
    <div class="player">
      {src ? (
        <video
          key={videoId}
          ref={ref}
          src={src}
          controls
          preload="metadata"
          playsInline
          aria-label={`Video: ${title}`}
          onLoadedMetadata={ready}
          onTimeUpdate={(e) => onTime?.((e.currentTarget as HTMLVideoElement).currentTime)}
          onError={() => setFailed(true)}
        />
      ) : (
        <div class="player empty" aria-busy="true">Loading the video…</div>
      )}
      {failed && (
        <p class="error" role="alert">
          The video cannot be played here (its file may be missing or in a format this browser does not play).
        </p>
      )}
    </div>
  );
}
