import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { DigestLine, VideoDiary } from "../api/client";
import { ConfirmDelete } from "../components/ConfirmDelete";
import { Player, type PlayerHandle, forgetMedia, useMedia } from "../components/Player";
import { Speakers } from "../components/Speakers";
import { useApp } from "../context";
import { type Block, blocksOf, keyframeUrl } from "../lib/diary";
import { clock, duration, isDay, lineAt, longDay, span, timeOfDay } from "../lib/time";
import { dayHref, navigate } from "../router";

interface Props {
  date: string;
  video: string | null;
  at: number | null;
}

export function Day({ date, video, at }: Props) {
  const { api, config } = useApp();
  const [day, setDay] = useState<VideoDiary[] | null>(null);
  const [digest, setDigest] = useState<DigestLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Asked for while rendering, before the heading's date formatting (whose first use loads ICU data),
  // so that work overlaps the network instead of preceding it.
  const request = useMemo(() => (isDay(date) ? api.day(date) : null), [date, video]);

  // A layout effect applies the answer right after the first render instead of after the next paint
  // (a plain effect waits for an animation frame, up to 100 ms in a background tab).
  useLayoutEffect(() => {
    let live = true;
    setDay(null);
    setDigest([]);
    setError(null);
    if (!request) {
      setError(`“${date}” is not a date (YYYY-MM-DD)`);
      return;
    }
    request
      .then(async (d) => {
        if (!live) return;
        if (video && !d.videos.some((v) => v.video.video_id === video)) {
          // The link's day may be another zone's: the diary itself says which day it is filed under.
          const v = await api.video(video).catch(() => null);
          const own = (v?.diary as { date?: string } | null)?.date;
          if (live && own && own !== date) return navigate(dayHref(own, video, at), true);
        }
        setDay(d.videos);
        setDigest(d.digest ?? []);
      })
      .catch((e) => live && setError((e as Error).message));
    return () => {
      live = false;
    };
  }, [request]);

  const selected = day?.find((v) => v.video.video_id === video) ?? day?.[0] ?? null;

  return (
    <section aria-labelledby="day-title" class="day-view">
      <h1 id="day-title">{isDay(date) ? longDay(date) : "Day"}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {day === null && !error && <p aria-busy="true">Loading…</p>}
      {day && day.length === 0 && (
        <p class="empty-state">
          No diary for this day. <a href="/">Back to the library</a>
        </p>
      )}
      {day && digest.length > 0 && <Digest date={date} lines={digest} />}
      {day && day.length > 1 && (
        <nav aria-label="Videos of this day" class="tabs">
          {day.map((v) => (
            <a
              key={v.video.video_id}
              href={dayHref(date, v.video.video_id)}
              aria-current={v === selected ? "page" : undefined}
            >
              {timeOfDay(v.video.recorded_at, config.timezone)} {v.video.diary_title ?? v.video.title}
            </a>
          ))}
        </nav>
      )}
      {selected && (
        <VideoView
          key={selected.video.video_id}
          entry={selected}
          at={selected.video.video_id === video ? at : null}
          onChange={(next) => setDay((d) => d?.map((v) => (v.video.video_id === next.video.video_id ? next : v)) ?? d)}
          onDeleted={() => {
            forgetMedia(selected.video.video_id);
            const rest = day!.filter((v) => v !== selected);
            setDay(rest);
            if (!rest.length) navigate("/");
            else navigate(dayHref(date, rest[0].video.video_id), true);
          }}
        />
      )}
    </section>
  );
}

/** The day in a few lines, one per video, each citation a link to its moment. */
function Digest({ date, lines }: { date: string; lines: DigestLine[] }) {
  return (
    <section aria-labelledby="digest-title" class="digest">
      <h2 id="digest-title">The day in brief</h2>
      <ul>
        {lines.map((l) => (
          <li key={l.video_id} data-video={l.video_id}>
            <span>{l.text}</span>{" "}
            {(l.citations ?? []).map((c) => (
              <a key={c.label} class="cite" href={dayHref(date, c.video_id, c.start)} title={c.quote}>
                {span(c.start, c.end)}
              </a>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

function VideoView({
  entry,
  at,
  onChange,
  onDeleted,
}: {
  entry: VideoDiary;
  at: number | null;
  onChange: (v: VideoDiary) => void;
  onDeleted: () => void;
}) {
  const { config } = useApp();
  const v = entry.video;
  const blocks = useMemo(() => blocksOf(entry.diary), [entry.diary]);
  const lines = useMemo(() => blocks.flatMap((b) => b.transcript), [blocks]);
  const player = useRef<PlayerHandle | null>(null);
  const [now, setNow] = useState(0);
  const media = useMedia(v.video_id);

  useEffect(() => {
    if (at != null) player.current?.seek(at);
  }, [at]);

  const seek = (t: number) => player.current?.seek(t);
  const current = lineAt(lines, now);

  return (
    <div class="video-view" data-video={v.video_id}>
      <div class="stage">
        <div class="video-head">
          <h2>{v.diary_title ?? v.title}</h2>
          <p class="meta">
            {v.diary_title ? `${v.title} · ` : ""}
            {timeOfDay(v.recorded_at, config.timezone)} · {duration(v.duration)} · {blocks.length} block{blocks.length === 1 ? "" : "s"}
          </p>
        </div>
        <Player videoId={v.video_id} title={v.title} handle={player} onTime={setNow} />
        <Transcript lines={lines} current={current} onSeek={seek} />
        <Speakers entry={entry} blocks={blocks} onRenamed={onChange} />
        <ConfirmDelete videoId={v.video_id} title={v.title} onDeleted={onDeleted} />
      </div>
      <ol class="blocks" aria-label="Time blocks">
        {blocks.map((b) => (
          <BlockCard key={b.index} block={b} keyframes={media?.keyframes ?? []} onSeek={seek} active={now >= b.start && now < b.end} />
        ))}
      </ol>
    </div>
  );
}

function Transcript({ lines, current, onSeek }: { lines: Block["transcript"]; current: number; onSeek: (t: number) => void }) {
  const box = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = box.current;
    const line = el?.children[current] as HTMLElement | undefined;
    if (!el || !line) return;
    // Scroll the transcript box only, never the page under the viewer. The box is positioned, so a
    // line's offsetTop is measured from the box itself.
    const top = line.offsetTop;
    const h = line.offsetHeight;
    if (top < el.scrollTop || top + h > el.scrollTop + el.clientHeight)
      // A third of the box above the line, unless that would cut its end off; never past its start.
      el.scrollTop = Math.max(0, Math.min(top, Math.max(top - el.clientHeight / 3, top + h - el.clientHeight)));
  }, [current]);
  if (!lines.length) return <p class="muted">No transcript (nothing was heard or subtitled).</p>;
  return (
    <section aria-label="Transcript" class="transcript-wrap">
      <h3>Transcript</h3>
      <ol class="transcript" ref={box} tabIndex={-1}>
        {lines.map((l, i) => (
          <li key={i} class={i === current ? "current" : ""} aria-current={i === current ? "true" : undefined}>
            <button type="button" class="line" onClick={() => onSeek(l.start)} data-start={l.start}>
              <time>{clock(l.start)}</time>
              {l.speaker && <b class="speaker">{l.speaker}</b>}
              <span>{l.text}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

function BlockCard({ block: b, keyframes, onSeek, active }: { block: Block; keyframes: string[]; onSeek: (t: number) => void; active: boolean }) {
  const thumbs = b.keyframes.map((k) => keyframeUrl(keyframes, k)).filter((u): u is string => !!u);
  const { api } = useApp();
  return (
    <li class={`block${active ? " active" : ""}`} data-start={b.start}>
      <h3>
        <button type="button" class="block-seek" onClick={() => onSeek(b.start)}>
          <span class="sr-only">Play from </span>
          <time>{span(b.start, b.end)}</time>
          <span>{b.title}</span>
        </button>
      </h3>
      {b.activity && <p class="summary">{b.activity}</p>}
      <dl>
        {b.participants.length > 0 && (
          <>
            <dt>Participants</dt>
            <dd class="participants">{b.participants.join(", ")}</dd>
          </>
        )}
        {b.perSpeaker.length > 0 && (
          <>
            <dt>Who said what</dt>
            <dd>
              <ul class="per-speaker">
                {b.perSpeaker.map((p, i) => (
                  <li key={i}>
                    <b>{p.speaker}</b>: {p.summary}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {b.location && b.location !== "Not mentioned" && (
          <>
            <dt>Where</dt>
            <dd>{b.location}</dd>
          </>
        )}
        {b.visual && (
          <>
            <dt>Seen</dt>
            <dd>{b.visual}</dd>
          </>
        )}
        {b.seenText.length > 0 && (
          <>
            <dt>Read on screen</dt>
            <dd>{b.seenText.join(" · ")}</dd>
          </>
        )}
      </dl>
      {b.actions.length > 0 && (
        <>
          <h4>Action items</h4>
          <ul class="actions">
            {b.actions.map((a, i) => (
              <li key={i}>
                {a.at != null ? (
                  <button type="button" class="link" onClick={() => onSeek(a.at!)}>
                    <time>{clock(a.at)}</time>
                  </button>
                ) : null}{" "}
                {a.text}
                {a.owner && <span class="muted"> (owner: {a.owner})</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {thumbs.length > 0 && (
        <div class="thumbs">
          {thumbs.slice(0, 6).map((u, i) => (
            <img key={u} src={api.url(u)} alt={`Keyframe ${i + 1} of “${b.title}”`} loading="lazy" width={120} height={68} />
          ))}
        </div>
      )}
    </li>
  );
}
