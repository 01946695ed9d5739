import { describe, expect, it } from "vitest";
import { splitCitations } from "./citations";

describe("splitCitations", () => {
  it("turns inline sources into moments and keeps the words around them", () => {
    expect(splitCitations("Water the roses [garden-1abe, 00:00:06–00:00:09]. Also [b-2, 1:02:03-1:02:10]")).toEqual([
      { text: "Water the roses " },
      { video: "garden-1abe", start: 6, end: 9, label: "garden-1abe, 00:00:06–00:00:09" },
      { text: ". Also " },
      { video: "b-2", start: 3723, end: 3730, label: "b-2, 1:02:03-1:02:10" },
    ]);
  });

  it("leaves text without sources alone", () => {
    expect(splitCitations("Nothing found [not a source].")).toEqual([{ text: "Nothing found [not a source]." }]);
    expect(splitCitations("")).toEqual([]);
  });
});
