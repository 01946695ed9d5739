// Answers name their sources inline as "[video-id, 00:00:06–00:00:09]" (the CLI prints the same): the
// page turns each into a button that plays that moment.

export type Piece = { text: string } | { video: string; start: number; end: number; label: string };

const MARK = /\[([a-z0-9][a-z0-9-]{0,79}), (\d{1,2}):(\d\d):(\d\d)\s*[–-]\s*(\d{1,2}):(\d\d):(\d\d)\]/g;

export function splitCitations(text: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(MARK)) {
    if (m.index! > last) out.push({ text: text.slice(last, m.index) });
    const sec = (h: string, mi: string, s: string) => Number(h) * 3600 + Number(mi) * 60 + Number(s);
    out.push({ video: m[1], start: sec(m[2], m[3], m[4]), end: sec(m[5], m[6], m[7]), label: m[0].slice(1, -1) });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
