import { describe, expect, it } from "vitest";
import { highlight, isSystemMetric, mergeLines, type ConsoleLine } from "./consoleLines";

const line = (n: number, text = `line ${n}`): ConsoleLine => ({ line: n, stream: "STDOUT", time: "2026-12-03T10:00:00Z", text });

describe("console lines", () => {
  it("merges a fetch's lines into those shown, once each and in order", () => {
    expect(mergeLines([line(0), line(1)], [line(1), line(3), line(2)]).map((l) => l.line)).toEqual([0, 1, 2, 3]);
  });

  it("marks every case-insensitive match of the search", () => {
    expect(highlight("Loss up, loss down", "LOSS")).toEqual([
      { text: "Loss", match: true }, { text: " up, ", match: false }, { text: "loss", match: true }, { text: " down", match: false },
    ]);
    expect(highlight("no search", "")).toEqual([{ text: "no search", match: false }]);
  });

  it("tells system metrics from the training's", () => {
    expect(["sys/cpu_percent", "sys/gpu.0.power_watts", "loss", "system/loss"].map(isSystemMetric)).toEqual([true, true, false, false]);
  });
});
