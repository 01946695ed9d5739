import { describe, expect, it } from "vitest";
import type { UploadTicket } from "../api/client";
import { TransferError, s3Message, startTransfer } from "./transfer";

// A stand-in for the browser's XMLHttpRequest: records what is sent, and lets the test play the network.
class FakeXhr {
  static made: FakeXhr[] = [];
  method = "";
  url = "";
  body: unknown = null;
  status = 0;
  responseText = "";
  headers: Record<string, string> = {};
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.made.push(this);
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }
  getResponseHeader(name: string) {
    return this.headers[name] ?? null;
  }
  answer(status: number, text = "", headers: Record<string, string> = {}) {
    this.status = status;
    this.responseText = text;
    this.headers = headers;
    this.onload?.();
  }
}

const factory = () => new FakeXhr() as unknown as XMLHttpRequest;
const post: UploadTicket = {
  method: "post",
  url: "http://s3.local/bucket",
  fields: { key: "uploads/local/1/a.mp4", policy: "p", "Content-Type": "video/mp4" },
  key: "uploads/local/1/a.mp4",
  max_bytes: 10,
  expires_at: "2026-05-02T10:00:00Z",
};
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("startTransfer", () => {
  it("posts the signed fields before the file and reports progress", async () => {
    FakeXhr.made = [];
    const seen: number[] = [];
    const t = startTransfer(post, new Blob(["0123456789"]), (f) => seen.push(f), factory);
    await tick();
    const xhr = FakeXhr.made[0];
    expect([xhr.method, xhr.url]).toEqual(["POST", "http://s3.local/bucket"]);
    expect([...(xhr.body as FormData).keys()]).toEqual(["key", "policy", "Content-Type", "file"]);
    xhr.upload.onprogress?.({ loaded: 5 });
    xhr.answer(204);
    await t.done;
    expect(seen).toEqual([0.5, 1]);
  });

  it("cancels, and says what storage refused", async () => {
    FakeXhr.made = [];
    const t = startTransfer(post, new Blob(["x"]), () => undefined, factory);
    await tick();
    t.abort();
    await expect(t.done).rejects.toMatchObject({ cancelled: true });
    const u = startTransfer(post, new Blob(["x"]), () => undefined, factory);
    await tick();
    FakeXhr.made[1].answer(403, "<Error><Code>AccessDenied</Code><Message>Policy expired.</Message></Error>");
    const err = await u.done.catch((e) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect(err.message).toBe("storage refused the file: Policy expired.");
    expect(s3Message("no xml")).toBeNull();
  });

  it("PUTs multipart parts in order and collects their ETags", async () => {
    FakeXhr.made = [];
    const ticket: UploadTicket = { ...post, method: "multipart", url: "", fields: {}, upload_id: "u1", part_size: 4, part_urls: ["p1", "p2", "p3"] };
    const t = startTransfer(ticket, new Blob(["0123456789"]), () => undefined, factory);
    for (let i = 0; i < 3; i++) {
      await tick();
      const x = FakeXhr.made[i];
      expect([x.method, x.url, (x.body as Blob).size]).toEqual(["PUT", `p${i + 1}`, i < 2 ? 4 : 2]);
      x.answer(200, "", { ETag: `"e${i + 1}"` });
    }
    expect((await t.done).parts).toEqual([
      { part_number: 1, etag: '"e1"' },
      { part_number: 2, etag: '"e2"' },
      { part_number: 3, etag: '"e3"' },
    ]);
  });
});
