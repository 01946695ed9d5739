import { describe, expect, it } from "vitest";
import { clock, dayOf, duration, groupByDay, isDay, lineAt, longDay, span, timeOfDay } from "./time";

describe("time", () => {
  it("formats moments as clocks", () => {
    expect(clock(0)).toBe("00:00");
    expect(clock(65.9)).toBe("01:05");
    expect(clock(3725)).toBe("1:02:05");
    expect(clock(-3)).toBe("00:00");
    expect(clock(Number.NaN)).toBe("00:00");
    expect(span(5, 20)).toBe("00:05–00:20");
  });

  it("says lengths in words", () => {
    expect(duration(22.4)).toBe("22 s");
    expect(duration(125)).toBe("2 min 5 s");
    expect(duration(120)).toBe("2 min");
    expect(duration(3700)).toBe("1 h 1 min");
    expect(duration(null)).toBe("—");
  });

  it("files a datetime under its UTC day", () => {
    expect(dayOf("2026-05-02T23:30:00+00:00")).toBe("2026-05-02");
    expect(dayOf("2026-05-02T23:30:00-02:00")).toBe("2026-05-03");
    expect(dayOf("not a date")).toBeNull();
    expect(dayOf("2026-05-02T23:30:00Z", "Europe/Berlin")).toBe("2026-05-03");
    expect(dayOf("2026-05-02T23:30:00Z", "No/Such_Zone")).toBe("2026-05-02");
    expect(timeOfDay("2026-05-02T09:30:00Z")).toBe("09:30");
    // In the diary's zone, as its day is: 23:30 UTC is 00:30 the next day in Dublin (the day view
    // showed "23:30 UTC" under that next day).
    expect(timeOfDay("2026-05-02T23:30:00Z", "Europe/Dublin")).toBe("00:30");
    expect(timeOfDay("2026-05-02T09:30:00Z", "No/Such_Zone")).toBe("09:30");
    expect(longDay("2026-05-02")).toMatch(/^Saturday,? 2 May 2026$/);
    expect(isDay("2026-02-30")).toBe(false);
    expect(isDay("2026-02-28")).toBe(true);
  });

  it("groups newest day first, in time order within a day, undated last", () => {
    const items = [
      { t: "2026-05-01T10:00:00Z" },
      { t: null },
      { t: "2026-05-02T12:00:00Z" },
      { t: "2026-05-02T08:00:00Z" },
    ];
    const groups = groupByDay(items, (i) => i.t);
    expect(groups.map(([d]) => d)).toEqual(["2026-05-02", "2026-05-01", "undated"]);
    expect(groups[0][1].map((i) => i.t)).toEqual(["2026-05-02T08:00:00Z", "2026-05-02T12:00:00Z"]);
  });

  it("finds the transcript line playing now", () => {
    const lines = [{ start: 0 }, { start: 5 }, { start: 9 }];
    expect(lineAt(lines, 0)).toBe(0);
    expect(lineAt(lines, 6)).toBe(1);
    expect(lineAt(lines, 100)).toBe(2);
    expect(lineAt([{ start: 2 }], 1)).toBe(-1);
  });
});
