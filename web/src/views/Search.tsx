import { useEffect, useRef, useState } from "preact/hooks";
import type { SearchHit } from "../api/client";
import { Thumb, TitleOf } from "../components/Moment";
import { Player, type PlayerHandle } from "../components/Player";
import { useApp } from "../context";
import { span } from "../lib/time";
import { navigate } from "../router";
import { useVideos } from "./Library";

const TYPES: [string, string][] = [
  ["", "Any"],
  ["summary", "Summaries"],
  ["transcript", "What was said"],
  ["action_item", "Action items"],
  ["screen_text", "Read on screen"],
];

function summary(found: number, related: number): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  return found ? `${n(found, "moment")} found${related ? `, ${related} related` : ""}` : `Nothing found; ${n(related, "related moment")}`;
}

export function Search({ q }: { q: string }) {
  const { api } = useApp();
  const { videos } = useVideos();
  const [form, setForm] = useState({ q, date_from: "", date_to: "", video_id: "", speaker: "", chunk_type: "" });
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [playing, setPlaying] = useState<SearchHit | null>(null);
  const player = useRef<PlayerHandle | null>(null);

  const run = async (e?: Event) => {
    e?.preventDefault();
    if (!form.q.trim()) return;
    setBusy(true);
    setError(null);
    navigate(`/search?q=${encodeURIComponent(form.q)}`, true);
    try {
      setHits(await api.search({ ...form, q: form.q.trim(), top_k: 20 }));
    } catch (err) {
      setError((err as Error).message);
      setHits(null);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (q) run();
  }, []);
  useEffect(() => {
    if (playing) player.current?.seek(playing.start);
  }, [playing]);

  // What clears the calibrated threshold that ask uses, apart from what is merely related.
  const found = (hits ?? []).filter((h) => h.found);
  const related = (hits ?? []).filter((h) => !h.found);
  const item = (h: SearchHit, i: number) => (
    <li key={`${h.video_id}-${h.start}-${i}`}>
      <button type="button" class="hit" onClick={() => setPlaying({ ...h })} aria-pressed={playing?.video_id === h.video_id && playing.start === h.start}>
        <Thumb videoId={h.video_id} at={h.start} />
        <span class="hit-body">
          <span class="hit-head">
            <time>{span(h.start, h.end)}</time> · <TitleOf videoId={h.video_id} />
            {h.recorded_date && <> · {h.recorded_date}</>} · <span class="tag">{h.chunk_type.replace("_", " ")}</span>
          </span>
          <span class="hit-text">{h.text}</span>
          {(h.speakers ?? []).length > 0 && <span class="muted">Speakers: {(h.speakers ?? []).join(", ")}</span>}
        </span>
      </button>
    </li>
  );

  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search</h1>
      <form class="search-form" onSubmit={run} role="search">
        <label class="grow">
          <span>Look for</span>
          <input type="search" name="q" value={form.q} onInput={set("q")} required maxLength={2000} placeholder="coffee machine, the launch, Anna…" />
        </label>
        <label>
          <span>From</span>
          <input type="date" value={form.date_from} onInput={set("date_from")} />
        </label>
        <label>
          <span>To</span>
          <input type="date" value={form.date_to} onInput={set("date_to")} />
        </label>
        <label>
          <span>Video</span>
          <select value={form.video_id} onChange={set("video_id")}>
            <option value="">Any</option>
            {(videos ?? []).filter((v) => v.status === "completed").map((v) => (
              <option key={v.video_id} value={v.video_id}>
                {v.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Speaker</span>
          <input value={form.speaker} onInput={set("speaker")} maxLength={100} placeholder="Any" />
        </label>
        <label>
          <span>Type</span>
          <select value={form.chunk_type} onChange={set("chunk_type")}>
            {TYPES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {busy ? "Searching…" : "Search"}
        </button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="moments">
        <div class="moment-list">
          {hits && (
            <p aria-live="polite" class="muted">
              {hits.length ? summary(found.length, related.length) : "Nothing found."}
            </p>
          )}
          {found.length > 0 && (
            <>
              <h2 class="hits-group" id="found-title">Found</h2>
              <ol class="hits found" aria-labelledby="found-title">
                {found.map(item)}
              </ol>
            </>
          )}
          {related.length > 0 && (
            <>
              <h2 class="hits-group" id="related-title">{found.length ? "Related" : "Related (nothing matched closely)"}</h2>
              <ol class="hits related" aria-labelledby="related-title">
                {related.map(item)}
              </ol>
            </>
          )}
        </div>
        <aside class="moment-player" aria-label="Player">
          {playing ? <Player videoId={playing.video_id} title={playing.video_id} handle={player} /> : <p class="muted">Pick a result to play that moment.</p>}
        </aside>
      </div>
    </section>
  );
}
