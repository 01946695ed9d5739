import { describe, expect, it } from "vitest";
import { dayHref, parseRoute } from "./router";

describe("routes", () => {
  it("parses deep links", () => {
    expect(parseRoute("/", "")).toEqual({ name: "library" });
    expect(parseRoute("/day/2026-05-02", "?v=walk-1&t=12.5")).toEqual({ name: "day", date: "2026-05-02", video: "walk-1", at: 12.5 });
    expect(parseRoute("/day/2026-05-02", "")).toMatchObject({ video: null, at: null });
    expect(parseRoute("/search", "?q=tea")).toEqual({ name: "search", q: "tea" });
    expect(parseRoute("/nope/x", "")).toEqual({ name: "missing", path: "/nope/x" });
  });

  it("writes day links that parse back", () => {
    const href = dayHref("2026-05-02", "walk-1", 12.54);
    expect(href).toBe("/day/2026-05-02?v=walk-1&t=12.5");
    const [path, search] = href.split("?");
    expect(parseRoute(path, `?${search}`)).toMatchObject({ video: "walk-1", at: 12.5 });
  });
});
