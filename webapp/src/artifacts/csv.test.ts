import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv";

describe("CSV preview", () => {
  it("should split rows and fields, with or without a final line break", () => {
    expect(parseCsv("a,b\n1,2\n", 10)).toEqual({ rows: [["a", "b"], ["1", "2"]], more: false });
    expect(parseCsv("a,b\r\n1,2", 10)).toEqual({ rows: [["a", "b"], ["1", "2"]], more: false });
    expect(parseCsv("a,,c\n", 10).rows).toEqual([["a", "", "c"]]);
    expect(parseCsv("", 10)).toEqual({ rows: [], more: false });
  });

  it("should keep delimiters, doubled quotes and line breaks inside quoted fields", () => {
    const { rows } = parseCsv('name,note\n"Smith, J.","said ""hi""\nand left"\n', 10);
    expect(rows).toEqual([["name", "note"], ["Smith, J.", 'said "hi"\nand left']]);
    expect(parseCsv('"",x\n', 10).rows).toEqual([["", "x"]]);
  });

  it("should leave out a byte order mark and read tab-separated values", () => {
    expect(parseCsv("\ufeffa\tb\n1\t2\n", 10, { delimiter: "\t" }).rows).toEqual([["a", "b"], ["1", "2"]]);
  });

  it("should stop after the first rows and say there are more", () => {
    const text = Array.from({ length: 50 }, (_, i) => `${i},x`).join("\n");
    const { rows, more } = parseCsv(text, 3);
    expect(rows).toEqual([["0", "x"], ["1", "x"], ["2", "x"]]);
    expect(more).toBe(true);
    expect(parseCsv("a\nb\nc\n", 3)).toEqual({ rows: [["a"], ["b"], ["c"]], more: false });
  });

  it("should leave out the last row of a cut file, which may end mid-row", () => {
    expect(parseCsv("a,b\n1,2\n3,4", 10, { complete: false })).toEqual({ rows: [["a", "b"], ["1", "2"]], more: true });
    expect(parseCsv('a,b\n1,"cut\nin a quote', 10, { complete: false }).rows).toEqual([["a", "b"]]);
  });
});
