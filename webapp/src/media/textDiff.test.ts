import { describe, expect, it } from "vitest";
import { textDiff } from "./textDiff";

describe("textDiff", () => {
  it("numbers the lines of both steps and marks the words that changed within a line", () => {
    const rows = textDiff("The cat sat.\nsame\nold only", "The dog sat.\nsame");
    expect(rows.map((r) => r.kind)).toEqual(["changed", "same", "removed"]);
    expect(rows[0].leftParts).toEqual([{ text: "The", changed: false }, { text: " ", changed: false }, { text: "cat", changed: true }, { text: " ", changed: false }, { text: "sat.", changed: false }]);
    expect(rows[0].rightParts?.filter((p) => p.changed).map((p) => p.text)).toEqual(["dog"]);
    expect(rows[2]).toEqual({ kind: "removed", left: { line: 3, text: "old only" }, right: undefined });
  });

  it("answers same rows for equal texts", () => {
    expect(textDiff("a\nb", "a\nb").every((r) => r.kind === "same")).toBe(true);
  });
});
