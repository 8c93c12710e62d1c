import { describe, expect, it } from "vitest";
import { formatDelta, formatRate, formatScore, passClass, preview } from "./format";

describe("eval formatting", () => {
  it("previews JSON values on one line, cut at the limit", () => {
    expect(preview("What is 2+2?")).toBe("What is 2+2?");
    expect(preview({ question: "a", choices: [1, 2] })).toBe('{"question":"a","choices":[1,2]}');
    expect(preview(null)).toBe("–");
    expect(preview("x".repeat(300), 10)).toBe("xxxxxxxxx…");
  });

  it("shows a score by its type", () => {
    expect(formatScore({ type: "NUMERIC", value: 0.123456, boolean: null, category: null })).toBe("0.12346");
    expect(formatScore({ type: "BOOLEAN", value: 1, boolean: true, category: null })).toBe("✓");
    expect(formatScore({ type: "BOOLEAN", value: 0, boolean: false, category: null })).toBe("✗");
    expect(formatScore({ type: "CATEGORICAL", value: null, boolean: null, category: "partial" })).toBe("partial");
  });

  it("colours a delta by the score's direction", () => {
    expect(formatDelta(0.25, true)).toEqual({ text: "+0.25", tone: "better" });
    expect(formatDelta(0.25, false)).toEqual({ text: "+0.25", tone: "worse" });
    expect(formatDelta(-1, true)).toEqual({ text: "−1", tone: "worse" });
    expect(formatDelta(-1, false)).toEqual({ text: "−1", tone: "better" });
    expect(formatDelta(0, true)).toEqual({ text: "±0", tone: "same" });
    expect(formatDelta(null, true)).toEqual({ text: "–", tone: "same" });
  });

  it("names pass states and rates", () => {
    expect([passClass(true), passClass(false), passClass(null)]).toEqual(["pass", "fail", ""]);
    expect(formatRate(0.875)).toBe("87.5%");
    expect(formatRate(null)).toBe("–");
  });
});
