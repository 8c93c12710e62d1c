import { describe, expect, it } from "vitest";
import { filterRows, joinKeys, joinTables, sortRows, type MediaTable } from "./tables";

const image = { url: "/api/x", width: 2, height: 2 };
const a: MediaTable = {
  columns: [{ name: "id", type: "TEXT" }, { name: "pred", type: "TEXT" }, { name: "score", type: "NUMBER" }, { name: "img", type: "IMAGE" }],
  rows: [["b", "dog", 0.5, image], ["a", "cat", "NaN", null], ["c", "Cat", 2, image], ["d", null, null, null]],
};
const b: MediaTable = {
  columns: [{ name: "pred", type: "TEXT" }, { name: "id", type: "TEXT" }],
  rows: [["cow", "c"], ["cat", "a"], ["emu", "e"]],
};

describe("sortRows", () => {
  it("sorts numbers by value, NaN and empty cells last either way", () => {
    expect(sortRows(a, 2, false).map((r) => r[0])).toEqual(["b", "c", "a", "d"]);
    expect(sortRows(a, 2, true).map((r) => r[0])).toEqual(["c", "b", "a", "d"]);
  });

  it("sorts text by collation, empty last", () => {
    expect(sortRows(a, 1, false).map((r) => r[1])).toEqual(["cat", "Cat", "dog", null]);
    expect(sortRows(a, 0, true).map((r) => r[0])).toEqual(["d", "c", "b", "a"]);
  });
});

describe("filterRows", () => {
  it("keeps rows with a cell containing the text, ignoring case, numbers as shown", () => {
    expect(filterRows(a, a.rows, "CAT").map((r) => r[0])).toEqual(["a", "c"]);
    expect(filterRows(a, a.rows, "0.5").map((r) => r[0])).toEqual(["b"]);
    expect(filterRows(a, a.rows, " ")).toHaveLength(4);
  });
});

describe("joinTables", () => {
  it("puts the rows of both tables with the same key side by side, unmatched ones with empty cells", () => {
    const joined = joinTables(a, b, "id", ["run A", "run B"]);
    expect(joined.columns.map((c) => c.name)).toEqual(["id", "run A: pred", "run A: score", "run A: img", "run B: pred"]);
    expect(joined.rows).toEqual([
      ["b", "dog", 0.5, image, null],
      ["a", "cat", "NaN", null, "cat"],
      ["c", "Cat", 2, image, "cow"],
      ["d", null, null, null, null],
      ["e", null, null, null, "emu"],
    ]);
  });

  it("pairs repeated keys in order of occurrence", () => {
    const t = (rows: string[][]): MediaTable => ({ columns: [{ name: "k", type: "TEXT" }, { name: "v", type: "TEXT" }], rows });
    expect(joinTables(t([["x", "1"], ["x", "2"]]), t([["x", "a"], ["x", "b"], ["x", "c"]]), "k", ["A", "B"]).rows)
      .toEqual([["x", "1", "a"], ["x", "2", "b"], ["x", null, "c"]]);
  });

  it("offers the columns both tables have as keys, images left out", () => {
    expect(joinKeys(a, b)).toEqual(["id", "pred"]);
    expect(() => joinTables(a, b, "score", ["A", "B"])).toThrow(/score/);
  });
});
