// The diary JSON (`Diary`) as the page shows it. The API types it as a free-form object, so it
// is read defensively here: a field a newer worker adds or an older one lacks never breaks the page.

export interface Line {
  start: number;
  end: number;
  text: string;
  speaker: string | null;
}

export interface Action {
  text: string;
  owner: string | null;
  at: number | null;
}

export interface Block {
  index: number;
  start: number;
  end: number;
  title: string;
  activity: string;
  location: string;
  participants: string[];
  perSpeaker: { speaker: string; summary: string }[];
  visual: string;
  seenText: string[];
  actions: Action[];
  keyframes: string[];
  transcript: Line[];
  reliability: string;
}

type J = Record<string, unknown>;
const s = (v: unknown, d = ""): string => (typeof v === "string" ? v : d);
const n = (v: unknown, d = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : d);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === "string" && x.trim() !== "");

export function blocksOf(diary: J | null | undefined): Block[] {
  return arr(diary?.blocks).map((raw, i) => {
    const b = (raw ?? {}) as J;
    return {
      index: n(b.index, i),
      start: n(b.start),
      end: n(b.end),
      title: s(b.title, `Block ${i + 1}`),
      activity: s(b.activity),
      location: s(b.location),
      participants: strs(b.participants),
      perSpeaker: arr(b.per_speaker).map((p) => ({ speaker: s((p as J)?.speaker), summary: s((p as J)?.summary) })),
      visual: s(b.visual_summary),
      // Text read on screen, under whichever name the worker gives it.
      seenText: strs(b.screen_text ?? b.visible_text ?? b.seen_text),
      actions: arr(b.action_items).map((a) => {
        const x = (a ?? {}) as J;
        return { text: s(x.text), owner: typeof x.owner === "string" ? x.owner : null, at: typeof x.at === "number" ? x.at : null };
      }),
      keyframes: strs(b.keyframes),
      transcript: arr(b.transcript).map((t) => {
        const x = (t ?? {}) as J;
        return { start: n(x.start), end: n(x.end), text: s(x.text), speaker: typeof x.speaker === "string" ? x.speaker : null };
      }),
      reliability: s(b.source_reliability),
    };
  });
}

/** Everyone named in a diary (participants and transcript speakers), in order of appearance. */
export function speakersOf(blocks: Block[]): string[] {
  const seen = new Set<string>();
  for (const b of blocks) {
    for (const p of b.participants) seen.add(p);
    for (const l of b.transcript) if (l.speaker) seen.add(l.speaker);
  }
  return [...seen];
}

/** The URL of keyframe `name` among the media links (a local stream path or a presigned GET). */
export function keyframeUrl(urls: string[], name: string): string | null {
  return urls.find((u) => u.split("?")[0].endsWith(`/${name}`)) ?? null;
}

/** The block a moment falls in (the last one starting at or before it). */
export function blockAt(blocks: Block[], t: number): Block | null {
  let found: Block | null = null;
  for (const b of blocks) if (b.start <= t + 1e-6) found = b;
  return found;
}
