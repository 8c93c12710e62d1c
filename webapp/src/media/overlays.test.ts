import { describe, expect, it } from "vitest";
import { boxLabel, parseOverlays } from "./overlays";

describe("parseOverlays", () => {
  it("keeps well-formed boxes and masks and leaves out the rest", () => {
    const overlays = parseOverlays({
      boxes: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: "cat", score: 0.91 }, { x: "1", y: 0, width: 1, height: 1 }, 7, { x: 0, y: 0, width: 1, height: 1, label: 3 }],
      masks: [{ data: "iVBOR", classes: { 1: "cat", 2: 5 } }, { classes: {} }],
    });
    expect(overlays.boxes).toEqual([{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: "cat", score: 0.91 }, { x: 0, y: 0, width: 1, height: 1, label: undefined, score: undefined }]);
    expect(overlays.masks).toEqual([{ data: "iVBOR", classes: { 1: "cat", 2: "5" } }]);
    expect(boxLabel(overlays.boxes[0])).toBe("cat 0.91");
  });

  it("answers nothing for what is not overlays", () => {
    expect(parseOverlays(null)).toEqual({ boxes: [], masks: [] });
    expect(parseOverlays([1, 2])).toEqual({ boxes: [], masks: [] });
    expect(parseOverlays({ boxes: "no" })).toEqual({ boxes: [], masks: [] });
  });
});
