// The only way the page talks to the server: typed by the types generated from the API's OpenAPI
// document (schema.d.ts, `npm run gen`), so a changed route or model breaks the build, not the page.
import type { components, operations } from "./schema";

export type Schemas = components["schemas"];
export type VideoSummary = Schemas["VideoSummary"];
export type VideoPage = Schemas["VideoPage"];
export type VideoDiary = Schemas["VideoDiary"];
export type DayDiary = Schemas["DayDiary"];
export type DigestLine = Schemas["DigestLine"];
export type MediaLinks = Schemas["MediaLinks"];
export type UploadTicket = Schemas["UploadTicket"];
export type JobView = Schemas["JobView"];
export type SearchHit = Schemas["SearchHit"];
export type AnswerView = Schemas["AnswerView"];
export type CitationView = Schemas["CitationView"];
export type DeleteReport = Schemas["DeleteReport"];
export type UploadRequest = Schemas["UploadRequest"];
export type SearchQuery = NonNullable<operations["search_api_search_get"]["parameters"]["query"]>;
export type VideosQuery = NonNullable<operations["list_videos_api_videos_get"]["parameters"]["query"]>;

/** An error the API answered with (`{error, message, field}`), or a network failure, in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  base: string;
  token?: () => Promise<string | null>;
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function queryString(q: Query | undefined): string {
  if (!q) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

export class Api {
  private readonly fetcher: typeof fetch;
  private readonly etags = new Map<string, { tag: string; body: unknown }>();

  constructor(private readonly opts: ClientOptions) {
    this.fetcher = opts.fetch ?? ((...a) => fetch(...a));
  }

  /** A URL the browser loads by itself (<video src>, <img src>): local streams are relative to the API. */
  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.opts.base}${path}`;
  }

  private async request<T>(method: string, path: string, body?: unknown, conditional = false): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = await this.opts.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const cached = conditional ? this.etags.get(path) : undefined;
    if (cached) headers["If-None-Match"] = cached.tag;
    let res: Response;
    try {
      res = await this.fetcher(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network", "the server cannot be reached; check your connection and try again");
    }
    if (res.status === 304 && cached) return cached.body as T;
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      if (res.status === 401) this.opts.onUnauthorized?.();
      const e = (data ?? {}) as { error?: string; message?: string; field?: string | null };
      throw new ApiError(res.status, e.error ?? "error", e.message ?? `the server answered ${res.status}`, e.field ?? null);
    }
    const tag = res.headers.get("ETag");
    if (conditional && tag) this.etags.set(path, { tag, body: data });
    return data as T;
  }

  videos(q: VideosQuery = {}) {
    return this.request<VideoPage>("GET", `/api/videos${queryString(q)}`);
  }
  video(id: string) {
    return this.request<VideoDiary>("GET", `/api/videos/${encodeURIComponent(id)}`);
  }
  day(date: string) {
    return this.request<DayDiary>("GET", `/api/days/${encodeURIComponent(date)}`);
  }
  media(id: string) {
    return this.request<MediaLinks>("GET", `/api/videos/${encodeURIComponent(id)}/media`);
  }
  deleteVideo(id: string) {
    return this.request<DeleteReport>("DELETE", `/api/videos/${encodeURIComponent(id)}`);
  }
  renameSpeakers(id: string, names: Record<string, string>) {
    return this.request<VideoDiary>("PATCH", `/api/videos/${encodeURIComponent(id)}/speakers`, { names });
  }
  search(q: SearchQuery) {
    return this.request<SearchHit[]>("GET", `/api/search${queryString(q)}`);
  }
  ask(question: string, top_k = 6) {
    return this.request<AnswerView>("POST", "/api/ask", { question, top_k });
  }
  /** Polled: with the last ETag the server answers 304 while nothing changed. */
  jobs(limit = 50) {
    return this.request<JobView[]>("GET", `/api/jobs${queryString({ limit })}`, undefined, true);
  }
  job(id: number) {
    return this.request<JobView>("GET", `/api/jobs/${id}`, undefined, true);
  }
  ticket(body: UploadRequest) {
    return this.request<UploadTicket>("POST", "/api/uploads", body);
  }
  completeUpload(key: string, upload_id: string, parts: { part_number: number; etag: string }[]) {
    return this.request<Schemas["CompletedUpload"]>("POST", "/api/uploads/complete", { key, upload_id, parts });
  }
}
