import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, bytes, nameOfKey, planUploads, videoType } from "./upload";

const f = (name: string, size = 1000, type = "") => ({ name, size, type });

describe("planUploads", () => {
  it("pairs videos with their subtitles by name", () => {
    const plan = planUploads([f("walk.mp4"), f("talk.MOV"), f("walk.srt"), f("talk.vtt")]);
    expect(plan.refused).toEqual([]);
    expect(plan.uploads.map((u) => [u.video.name, u.subtitles?.name, u.subtitleType])).toEqual([
      ["walk.mp4", "walk.srt", "application/x-subrip"],
      ["talk.MOV", "talk.vtt", "text/vtt"],
    ]);
    expect(plan.uploads[1].contentType).toBe("video/quicktime");
  });

  it("refuses a wrong type, an empty or oversize file, and orphan subtitles, in words", () => {
    const limits = { ...DEFAULT_LIMITS, maxVideoBytes: 5000 };
    const plan = planUploads(
      [f("notes.txt"), f("big.mp4", 6000), f("empty.mkv", 0), f("lonely.srt"), f("ok.mp4")],
      limits,
    );
    expect(plan.uploads.map((u) => u.video.name)).toEqual(["ok.mp4"]);
    const reasons = Object.fromEntries(plan.refused.map((r) => [r.file.name, r.reason]));
    expect(reasons["notes.txt"]).toContain("not a video or subtitles");
    expect(reasons["notes.txt"]).toContain(".mp4");
    expect(reasons["big.mp4"]).toBe("big.mp4 is 5.9 kB, over the limit of 4.9 kB");
    expect(reasons["empty.mkv"]).toContain("empty");
    expect(reasons["lonely.srt"]).toContain("no video of the same name");
  });

  it("refuses oversize subtitles", () => {
    const plan = planUploads([f("a.mp4"), f("a.srt", DEFAULT_LIMITS.maxSubtitleBytes + 1)]);
    expect(plan.uploads[0].subtitles).toBeNull();
    expect(plan.refused[0].reason).toContain("subtitles may be at most 16 MB");
  });

  it("takes the browser's video type, else the suffix's", () => {
    expect(videoType(f("a.mkv", 1, ""))).toBe("video/x-matroska");
    expect(videoType(f("a.mp4", 1, "video/webm"))).toBe("video/webm");
    expect(videoType(f("a.mp4", 1, "text/plain"))).toBe("video/mp4");
  });

  it("names sizes and keys", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(2 * 1024 ** 3 - 1)).toBe("2.0 GB");
    expect(nameOfKey("uploads/local/1234/walk.mp4")).toBe("walk.mp4");
  });
});
