import { describe, expect, it } from "vitest";
import { Api, ApiError, queryString } from "./client";

function server(answers: Response[]) {
  const seen: Array<{ url: string; init: RequestInit }> = [];
  const fetcher = (async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return answers.shift()!;
  }) as unknown as typeof fetch;
  return { seen, fetcher };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

describe("Api", () => {
  it("sends the bearer token and turns an error body into words", async () => {
    const s = server([json({ error: "invalid", message: "must be a video/* type", field: "content_type" }, 422)]);
    const api = new Api({ base: "", fetch: s.fetcher, token: async () => "tok" });
    const err = await api.ticket({ filename: "a.mp4", size: 1, content_type: "text/plain" }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: "invalid", field: "content_type", message: "must be a video/* type" });
    expect((s.seen[0].init.headers as Record<string, string>).Authorization).toBe("Bearer tok");
  });

  it("polls jobs with If-None-Match and reuses the body on 304", async () => {
    const jobs = [{ id: 1, status: "processing" }];
    const s = server([json(jobs, 200, { ETag: '"e1"' }), new Response(null, { status: 304 })]);
    const api = new Api({ base: "https://api.example", fetch: s.fetcher });
    expect(await api.jobs()).toEqual(jobs);
    expect(await api.jobs()).toEqual(jobs);
    expect(s.seen[0].url).toBe("https://api.example/api/jobs?limit=50");
    expect((s.seen[1].init.headers as Record<string, string>)["If-None-Match"]).toBe('"e1"');
  });

  it("says when the server cannot be reached, and reports a 401", async () => {
    let unauthorized = 0;
    const down = new Api({ base: "", fetch: (async () => { throw new TypeError("fetch failed"); }) as unknown as typeof fetch });
    await expect(down.videos()).rejects.toMatchObject({ code: "network" });
    const s = server([json({ error: "unauthorized", message: "no token" }, 401)]);
    const api = new Api({ base: "", fetch: s.fetcher, onUnauthorized: () => unauthorized++ });
    await expect(api.videos()).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toBe(1);
  });

  it("leaves empty filters out of the query", () => {
    expect(queryString({ q: "tea", speaker: "", video_id: undefined, top_k: 5 })).toBe("?q=tea&top_k=5");
    expect(new Api({ base: "https://x" }).url("/api/videos/a/media/file")).toBe("https://x/api/videos/a/media/file");
    expect(new Api({ base: "https://x" }).url("https://s3/presigned")).toBe("https://s3/presigned");
  });
});
