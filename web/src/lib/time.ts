// Times in the API are seconds from the start of a video; datetimes are UTC ISO strings.

/** 65.4 -> "01:05", 3725 -> "1:02:05" (a clock for a moment in a video). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

/** A span "00:05–00:20". */
export function span(start: number, end: number): string {
  return `${clock(start)}–${clock(end)}`;
}

/** A length in words: 22 -> "22 s", 125 -> "2 min 5 s", 3700 -> "1 h 1 min"; unknown -> "—". */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  const rest = s % 60;
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

/** The day (YYYY-MM-DD) of an ISO datetime in zone `tz` (an IANA name; null: the viewer's zone), as the
 * diary dates a recording in the server's zone. */
export function dayOf(iso: string | null | undefined, tz: string | null = "UTC"): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat("en-CA", { timeZone: tz ?? undefined, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  } catch {
    return d.toISOString().slice(0, 10); // an unknown zone name: UTC rather than nothing
  }
}

/** "2026-05-02" -> "Saturday 2 May 2026" (read as a calendar day, whatever the viewer's zone). */
export function longDay(day: string, locale = "en-GB"): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return d.toLocaleDateString(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** "09:30" of an ISO datetime in zone `tz` (an IANA name; null: the viewer's), the zone the diary's day
 * and the digest's times are in; "" when there is none. */
export function timeOfDay(iso: string | null | undefined, tz: string | null = "UTC"): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  try {
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: tz ?? undefined, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(d);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
    return `${part("hour")}:${part("minute")}`;
  } catch {
    return d.toISOString().slice(11, 16); // an unknown zone name: UTC rather than nothing
  }
}

/** A real calendar day written YYYY-MM-DD. Without Intl: a page's first Intl call loads ICU data
 * (10-50 ms), which must not delay the request this check guards. */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Items grouped by day, newest day first; within a day in time order. Items without a day go last. */
export function groupByDay<T>(
  items: T[],
  when: (item: T) => string | null | undefined,
  tz: string | null = "UTC",
): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const day = dayOf(when(item), tz) ?? "undated";
    const list = groups.get(day) ?? [];
    list.push(item);
    groups.set(day, list);
  }
  const key = (item: T) => when(item) ?? "";
  for (const list of groups.values()) list.sort((a, b) => key(a).localeCompare(key(b)));
  return [...groups.entries()].sort(([a], [b]) =>
    a === "undated" ? 1 : b === "undated" ? -1 : b.localeCompare(a),
  );
}

/** The index of the transcript line playing at `t` (the last one started), or -1 before the first. */
export function lineAt(lines: { start: number }[], t: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].start <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
