import { describe, expect, it } from "vitest";
import { blockAt, blocksOf, keyframeUrl, speakersOf } from "./diary";

const diary = {
  blocks: [
    {
      index: 0, start: 0, end: 20, title: "Standup", activity: "Plans", location: "Office",
      participants: ["Speaker 1"], visual_summary: "a room", screen_text: ["AGENDA"],
      action_items: [{ text: "Send the plan", owner: "Speaker 1", at: 2 }],
      keyframes: ["scene_0000.jpg"],
      transcript: [{ start: 0, end: 5, text: "Hi", speaker: "Speaker 2" }, { start: 5, end: 9, text: "Yes" }],
    },
    { start: 20, end: 40, title: 7, transcript: "oops" },
  ],
};

describe("diary", () => {
  it("reads blocks defensively", () => {
    const [a, b] = blocksOf(diary);
    expect(a).toMatchObject({ title: "Standup", seenText: ["AGENDA"], keyframes: ["scene_0000.jpg"] });
    expect(a.actions).toEqual([{ text: "Send the plan", owner: "Speaker 1", at: 2 }]);
    expect(a.transcript[1].speaker).toBeNull();
    expect(b).toMatchObject({ index: 1, title: "Block 2", transcript: [], participants: [] });
    expect(blocksOf(null)).toEqual([]);
  });

  it("lists speakers, finds keyframes and the block of a moment", () => {
    const blocks = blocksOf(diary);
    expect(speakersOf(blocks)).toEqual(["Speaker 1", "Speaker 2"]);
    expect(keyframeUrl(["/api/videos/v/keyframes/scene_0000.jpg"], "scene_0000.jpg")).toBe("/api/videos/v/keyframes/scene_0000.jpg");
    expect(keyframeUrl(["https://s3/x/scene_0001.jpg?X-Amz=1"], "scene_0001.jpg")).toContain("X-Amz");
    expect(keyframeUrl(["https://s3/x/scene_00010.jpg"], "scene_0010.jpg")).toBeNull();
    expect(blockAt(blocks, 25)?.index).toBe(1);
    expect(blockAt(blocks, 3)?.index).toBe(0);
  });
});
