import { describe, expect, it } from "vitest";
import { reason, statusText } from "./Status";

describe("job status in words", () => {
  it("names the stage and percent, or the reason without the exception's class", () => {
    expect(statusText({ status: "processing", stage: "transcribe", progress: 0.42, error: null })).toBe(
      "processing — transcribing, 42%",
    );
    expect(statusText({ status: "failed", stage: "probe", progress: 0, error: "CorruptVideoError: notes.mp4: a text file, not a video" })).toBe(
      "failed: notes.mp4: a text file, not a video",
    );
    expect(reason(null)).toBe("no reason was recorded");
    expect(statusText({ status: "queued", stage: null, progress: 0, error: null })).toBe("queued");
  });
});
