import { describe, expect, it } from "vitest";
import { configRows, matchesSearch, summaryRows } from "./runTables";

describe("configRows", () => {
  it("should give a row per dotted path with its value as the table shows it", () => {
    expect(configRows({ lr: 5e-4, optimizer: { name: "adamw", betas: [0.9, 0.999] }, warmup: null })).toEqual([
      ["lr", "5e-4"], ["optimizer.name", "adamw"], ["optimizer.betas", "[0.9,0.999]"], ["warmup", "null"],
    ]);
    expect(configRows(null)).toEqual([]);
  });
});

describe("summaryRows", () => {
  it("should show each series' last, min and max in its unit, by name then split", () => {
    expect(summaryRows([
      { name: "loss", split: "val", last: 0.4, min: 0.25, max: 2 },
      { name: "sys/memory_used_bytes", split: null, last: 2048, min: 1024, max: 4096 },
      { name: "loss", split: "train", last: "NaN", min: 0.1, max: 3 },
    ])).toEqual([
      ["loss · train", "NaN", "0.1", "3"],
      ["loss · val", "0.4", "0.25", "2"],
      ["sys/memory_used_bytes", "2 KiB", "1 KiB", "4 KiB"],
    ]);
  });
});

describe("matchesSearch", () => {
  it("should match every word anywhere in the row, in any case", () => {
    expect(matchesSearch(["optimizer.name", "AdamW"], "adamw")).toBe(true);
    expect(matchesSearch(["optimizer.name", "AdamW"], "optim adam")).toBe(true);
    expect(matchesSearch(["optimizer.name", "AdamW"], "optim sgd")).toBe(false);
    expect(matchesSearch(["lr", "5e-4"], "  ")).toBe(true);
  });
});
