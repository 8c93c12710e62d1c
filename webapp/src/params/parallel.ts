import type { ParallelChartOption } from "../charts/echarts";
import { runColor } from "../charts/runColor";
import { toNumber } from "../charts/seriesBuffer";
import type { ParamRunsQuery } from "../gql/graphql";
import { metricValue, paramValue, rankedMetrics, varyingParamPaths } from "../runs/columns";
import { formatNumber } from "../ui/dom";

export type Run = ParamRunsQuery["runs"]["edges"][number]["node"];

/** A hyperparameter's axis: numbers on a value axis (a log one when they span orders of magnitude), else categories. */
export type ParamAxis = { path: string; type: "value" | "log" } | { path: string; type: "category"; data: string[] };

/**
 * Whether numbers are best read on a log axis: all positive and the largest at least 10 times the smallest (learning
 * rates, weight decays), or 100 times for whole numbers (a batch size of 32 to 256 reads well on a linear axis).
 */
export function isLogScale(values: number[]): boolean {
  if (!values.length || values.some((v) => !(v > 0))) return false;
  const ratio = Math.max(...values) / Math.min(...values);
  return ratio >= (values.every(Number.isInteger) ? 100 : 10);
}

/** An axis per hyperparameter that varies between the runs (a constant one would be a line through one point). */
export function paramAxes(runs: Run[]): ParamAxis[] {
  return varyingParamPaths(runs).map((path) => {
    const values = runs.map((run) => paramValue(run.hyperparameters, path)).filter((v) => v !== undefined);
    if (values.every((v) => typeof v === "number")) return { path, type: isLogScale(values) ? "log" : "value" };
    return { path, type: "category", data: [...new Set(values.map(String))] };
  });
}

/** The metric shown when the URL names none: the most telling one (an evaluation split's loss or accuracy). */
export const defaultMetric = (runs: Run[]): string | undefined => rankedMetrics(runs)[0];

/** The grid's margins; the right one leaves room for the colour scale, its labels right of it. */
const LEFT = 48;
const RIGHT = 128;
/** Axis names narrower than their room by this much keep apart. */
const NAME_GAP = 12;
/** Below this many pixels between axes, names go alternately under and over the axes, which doubles their room. */
const ALTERNATE_BELOW = 140;

/**
 * Hyperparameters as axes and the metric last, for a chart `width` pixels wide. Names and labels are cut to the room
 * between axes (the full name shows on hover), so that neighbours never overlap. The lines are coloured on a scale of
 * the metric, or each in its run's colour (`byRun`), as in the charts.
 */
export function parallelOption(runs: Run[], metric: string, width: number, byRun = false): ParallelChartOption {
  const axes = paramAxes(runs);
  const spacing = (width - LEFT - RIGHT) / Math.max(1, axes.length);
  const alternate = spacing < ALTERNATE_BELOW;
  const nameWidth = Math.max(24, (alternate ? 2 * spacing : spacing) - NAME_GAP);
  const labelWidth = Math.max(24, spacing - NAME_GAP);
  const common = (dim: number, name: string) => ({
    dim,
    name,
    nameLocation: alternate && dim % 2 === 1 ? ("end" as const) : ("start" as const),
    nameGap: 12,
    nameTruncate: { maxWidth: nameWidth },
    tooltip: { show: true },
    axisLabel: { width: labelWidth, overflow: "truncate" as const, formatter: (value: string | number) => (typeof value === "number" ? formatNumber(value) : value) },
  });
  const parallelAxis = axes.map((axis, dim) =>
    axis.type === "category"
      ? { ...common(dim, axis.path), type: "category" as const, data: axis.data }
      : { ...common(dim, axis.path), type: axis.type, scale: true });
  const metricDim = axes.length;
  const data = runs.map((run) => [
    ...axes.map(({ path, type }) => {
      const value = paramValue(run.hyperparameters, path);
      return type !== "category" ? (value as number) ?? null : value === undefined ? null : String(value);
    }),
    toNumber(metricValue(run, metric) ?? null),
  ]);
  const values = data.map((row) => row[metricDim] as number).filter(Number.isFinite);
  return {
    animation: false,
    parallel: { left: LEFT, right: RIGHT, top: 48, bottom: 40 },
    parallelAxis: [...parallelAxis, { ...common(metricDim, metric.slice(2).replace("~", " · ")), type: "value", scale: true }],
    visualMap: values.length && !byRun
      ? { type: "continuous", dimension: metricDim, min: Math.min(...values), max: Math.max(...values), right: 8, top: "middle", calculable: true, align: "left", formatter: (value: number) => formatNumber(value), inRange: { color: ["#2c7bb6", "#7b3294", "#d7191c"] } }
      : undefined,
    tooltip: { trigger: "item", formatter: (p: unknown) => (p as { name: string }).name },
    series: [{ type: "parallel", lineStyle: { width: 1.5, opacity: 0.6 }, emphasis: { lineStyle: { width: 3, opacity: 1 } }, data: data.map((value, i) => ({
      name: runs[i].name ?? `run ${runs[i].id}`, value, ...(byRun ? { lineStyle: { color: runColor(runs[i].id) } } : {}),
    })) }],
  } as ParallelChartOption;
}
