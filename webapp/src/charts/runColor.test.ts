import { describe, expect, it } from "vitest";
import { paletteColor, runColor } from "./runColor";
import { toRunInfo } from "./lineChart";

describe("runColor", () => {
  it("should give consecutive runs, a sweep's, 20 different colours before one repeats", () => {
    const colours = Array.from({ length: 20 }, (_, i) => runColor(String(1041 + i)));
    expect(new Set(colours).size).toBe(20);
    expect(runColor("1061")).toBe(runColor("1041"));
  });

  it("should colour a run by its id alone, also past what a JavaScript number holds", () => {
    expect(runColor("7")).toBe(paletteColor(7));
    expect(runColor("123456789012345678901")).toBe(paletteColor(1)); // …901 % 20
    expect(runColor("0")).toBe("#4e79a7");
  });

  it("should hash other ids to a colour of the palette, the same each time", () => {
    const colour = runColor("run-abc");
    expect(colour).toMatch(/^#[0-9a-f]{6}$/);
    expect(runColor("run-abc")).toBe(colour);
    expect(new Set(["a", "b", "c", "d", "e", "f", "g", "h"].map(runColor)).size).toBeGreaterThan(3);
  });

  it("should give a chart's run its own colour wherever it is listed", () => {
    const run = (id: string) => ({ id, name: id, createdAt: "2026-12-05T00:00:00Z" });
    expect(toRunInfo(run("12")).color).toBe(runColor("12"));
    expect(toRunInfo(run("12")).color).not.toBe(toRunInfo(run("13")).color);
  });
});
