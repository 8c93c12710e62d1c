import { describe, expect, it } from "vitest";
import { lineDiff, sideBySide } from "./diff";
import { compile, templateText } from "./template";

describe("lineDiff", () => {
  it("keeps common lines and marks the others", () => {
    expect(lineDiff(["a", "b", "c"], ["a", "x", "c", "d"])).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "x" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });

  it("finds a longest common subsequence in the middle", () => {
    const ops = lineDiff(["s", "1", "2", "3", "e"], ["s", "2", "3", "4", "e"]);
    expect(ops.filter((o) => o.kind === "same").map((o) => o.text)).toEqual(["s", "2", "3", "e"]);
    expect(ops.filter((o) => o.kind !== "same")).toEqual([{ kind: "removed", text: "1" }, { kind: "added", text: "4" }]);
  });

  it("handles empty texts", () => {
    expect(lineDiff([], [])).toEqual([]);
    expect(lineDiff([], ["a"])).toEqual([{ kind: "added", text: "a" }]);
  });
});

describe("sideBySide", () => {
  it("pairs removed and added lines as changed rows, numbering each side", () => {
    expect(sideBySide("Hello\nold line\nBye", "Hello\nnew line\nextra\nBye")).toEqual([
      { kind: "same", left: { line: 1, text: "Hello" }, right: { line: 1, text: "Hello" } },
      { kind: "changed", left: { line: 2, text: "old line" }, right: { line: 2, text: "new line" } },
      { kind: "added", left: undefined, right: { line: 3, text: "extra" } },
      { kind: "same", left: { line: 3, text: "Bye" }, right: { line: 4, text: "Bye" } },
    ]);
  });

  it("shows identical texts without changes", () => {
    expect(sideBySide("a\nb", "a\nb").every((row) => row.kind === "same")).toBe(true);
  });
});

describe("templates", () => {
  it("shows a chat as its messages under their roles", () => {
    expect(templateText({ messages: [{ role: "system", content: "Be {{tone}}." }, { role: "user", content: "{{q}}" }] })).toBe("[system]\nBe {{tone}}.\n\n[user]\n{{q}}");
    expect(templateText({ text: "plain" })).toBe("plain");
  });

  it("compiles the variables it is given and leaves the others", () => {
    expect(compile("Hi {{ name }}, about {{topic}}: {{name}}", { name: "Ada" })).toBe("Hi Ada, about {{topic}}: Ada");
  });
});
