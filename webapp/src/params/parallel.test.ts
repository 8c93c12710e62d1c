import { describe, expect, it } from "vitest";
import { runColor } from "../charts/runColor";
import { defaultMetric, isLogScale, paramAxes, parallelOption, type Run } from "./parallel";

const run = (id: number, hyperparameters: Record<string, unknown>, summaries: [string, string | null, number][] = []): Run =>
  ({ id: String(id), name: `r${id}`, hyperparameters, summaries: summaries.map(([name, split, last]) => ({ name, split, last })) }) as Run;

describe("isLogScale", () => {
  it("should take a log axis for positive values that span orders of magnitude", () => {
    expect(isLogScale([1e-4, 3e-4, 1e-3])).toBe(true);
    expect(isLogScale([0.1, 0.2, 0.5])).toBe(false);
    expect(isLogScale([0, 1e-3, 1])).toBe(false); // no place for 0 on a log axis
    expect(isLogScale([-1e-3, -1])).toBe(false);
    expect(isLogScale([32, 64, 256])).toBe(false); // whole numbers need 100 times
    expect(isLogScale([8, 2048])).toBe(true);
  });
});

describe("paramAxes", () => {
  it("should give an axis to each hyperparameter that varies, a log one for learning rates", () => {
    const runs = [
      run(1, { lr: 1e-4, batch: 64, optimizer: "adam", seed: 1, arch: { depth: 2 } }),
      run(2, { lr: 3e-4, batch: 64, optimizer: "sgd", seed: 2, arch: { depth: 2 } }),
      run(3, { lr: 1e-2, batch: 64, optimizer: "adam", seed: 3, arch: { depth: 2 } }),
    ];
    expect(paramAxes(runs)).toEqual([
      { path: "lr", type: "log" },
      { path: "optimizer", type: "category", data: ["adam", "sgd"] },
      { path: "seed", type: "value" },
    ]);
  });
});

describe("defaultMetric", () => {
  it("should pick an evaluation split's loss or accuracy over what sorts first", () => {
    const runs = [run(1, {}, [["epoch_time", "val", 3], ["grad_norm", null, 1], ["loss", "train", 0.5], ["loss", "val", 0.6]])];
    expect(defaultMetric(runs)).toBe("m:loss~val");
    expect(defaultMetric([run(1, {}, [["acc", "train", 1], ["lr", null, 1]])])).toBe("m:acc~train");
    expect(defaultMetric([run(1, {})])).toBeUndefined();
  });
});

describe("parallelOption", () => {
  const runs = Array.from({ length: 4 }, (_, i) => run(i, { optimizer: { weight_decay_schedule: i % 2 ? "cosine" : "linear" }, lr: 10 ** -(i + 1), warmup_steps: i * 100, depth: i, width: 2 ** i, dropout: i / 10 },
    [["loss", "val", i]]));

  it("should cut every name to the room between axes, alternating under and over them when it is narrow", () => {
    const option = parallelOption(runs, "m:loss~val", 700);
    const axes = option.parallelAxis as { name: string; type: string; nameLocation: string; nameTruncate: { maxWidth: number }; axisLabel: { width: number } }[];
    expect(axes.map((a) => a.name)).toEqual(["optimizer.weight_decay_schedule", "lr", "warmup_steps", "depth", "width", "dropout", "loss · val"]);
    expect(axes.map((a) => a.type)).toEqual(["category", "log", "value", "value", "value", "value", "value"]);
    // 6 gaps of (700 - 48 - 128) / 6 ≈ 87 pixels: names alternate and get two gaps each, labels one
    expect(axes.map((a) => a.nameLocation)).toEqual(["start", "end", "start", "end", "start", "end", "start"]);
    for (const axis of axes) {
      expect(axis.nameTruncate.maxWidth).toBeLessThan(2 * 87);
      expect(axis.axisLabel.width).toBeLessThan(87);
    }
    const wide = parallelOption(runs, "m:loss~val", 2000).parallelAxis as { nameLocation: string }[];
    expect(new Set(wide.map((a) => a.nameLocation))).toEqual(new Set(["start"]));
  });

  it("should put each run's values on the axes, the metric last", () => {
    const option = parallelOption(runs.slice(0, 2), "m:loss~val", 1000);
    const [series] = option.series as { data: { name: string; value: unknown[] }[] }[];
    expect(series.data[1]).toEqual({ name: "r1", value: ["cosine", 0.01, 100, 1, 2, 0.1, 1] });
  });

  it("should colour the lines on the metric's scale, or each in its run's colour as the charts do", () => {
    expect(parallelOption(runs, "m:loss~val", 1000).visualMap).toMatchObject({ dimension: 6, min: 0, max: 3 });
    const option = parallelOption(runs, "m:loss~val", 1000, true);
    expect(option.visualMap).toBeUndefined();
    const [series] = option.series as { data: { lineStyle: { color: string } }[] }[];
    expect(series.data.map((d) => d.lineStyle.color)).toEqual(["0", "1", "2", "3"].map(runColor));
  });
});
