import { useLayoutEffect, useMemo, useState } from "preact/hooks";
import type { VideoSummary } from "../api/client";
import { Status } from "../components/Status";
import { useApp } from "../context";
import { dayHref } from "../router";
import { dayOf, duration, groupByDay, longDay, timeOfDay } from "../lib/time";

const POLL_MS = 2000;

export function whenOf(v: VideoSummary): string {
  return v.recorded_at ?? v.created_at;
}

/** Every video of the library (page by page; a person's library is hundreds, not millions). */
export function useVideos(): { videos: VideoSummary[] | null; error: string | null; reload: () => void } {
  const { api } = useApp();
  const [videos, setVideos] = useState<VideoSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // Started right after render, not after the next paint (see Day).
  useLayoutEffect(() => {
    let live = true;
    let timer: number | undefined;
    (async () => {
      try {
        const all: VideoSummary[] = [];
        let offset: number | null = 0;
        while (offset != null && all.length < 2000) {
          const page = await api.videos({ limit: 200, offset });
          all.push(...page.items);
          offset = page.next_offset ?? null;
        }
        if (!live) return;
        setVideos(all);
        setError(null);
        // Follow videos still being processed until they settle.
        if (all.some((v) => v.status === "queued" || v.status === "processing"))
          timer = window.setTimeout(() => setTick((t) => t + 1), POLL_MS);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    })();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [tick]);
  return { videos, error, reload: () => setTick((t) => t + 1) };
}

export function Library() {
  const { api, config } = useApp();
  const { videos, error } = useVideos();
  const [filter, setFilter] = useState("");
  const shown = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    const said = (v: VideoSummary) => `${v.diary_title ?? ""} ${v.title}`.toLowerCase();
    return (videos ?? []).filter((v) => words.every((w) => said(v).includes(w)));
  }, [videos, filter]);
  const days = groupByDay(shown, whenOf, config.timezone);

  return (
    <section aria-labelledby="library-title">
      <div class="toolbar">
        <h1 id="library-title">Library</h1>
        <label class="filter">
          <span>Filter by title</span>
          <input
            type="search"
            value={filter}
            placeholder="Type to filter…"
            onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
      </div>
      {error && <p class="error" role="alert">Cannot load the library: {error}</p>}
      {videos === null && !error && <p aria-busy="true">Loading…</p>}
      {videos && videos.length === 0 && (
        <p class="empty-state">
          No videos yet. <a href="/upload">Upload some</a> and they appear here, by day.
        </p>
      )}
      {videos && videos.length > 0 && shown.length === 0 && <p>No title matches “{filter}”.</p>}
      <p class="sr-only" aria-live="polite">
        {videos ? `${shown.length} of ${videos.length} videos shown` : ""}
      </p>
      <ol class="timeline">
        {days.map(([day, items]) => (
          <li key={day} class="day">
            <h2>
              {day === "undated" ? "Undated" : <a href={dayHref(day)}>{longDay(day)}</a>}
            </h2>
            <ul class="videos">
              {items.map((v) => {
                const date = dayOf(whenOf(v), config.timezone) ?? day;
                return (
                  <li key={v.video_id} class="video-row" data-video={v.video_id}>
                    <span class="time">{timeOfDay(whenOf(v), config.timezone) || "—"}</span>
                    <span class="cover">
                      {v.thumbnail ? (
                        <img class="thumb" src={api.url(v.thumbnail)} alt="" width={96} height={54} loading="lazy" />
                      ) : (
                        <span class="thumb placeholder" aria-hidden="true" />
                      )}
                      <span>
                        {v.status === "completed" ? (
                          <a class="title" href={dayHref(date, v.video_id)}>
                            {v.diary_title ?? v.title}
                          </a>
                        ) : (
                          <span class="title">{v.title}</span>
                        )}
                        {v.diary_title && <span class="file">{v.title}</span>}
                      </span>
                    </span>
                    <span class="duration">{duration(v.duration)}</span>
                    <Status video={v} />
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
