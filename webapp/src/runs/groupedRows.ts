import { formatNumber, plural } from "../ui/dom";
import { metricValue } from "./columns";

type WithSummaries = Parameters<typeof metricValue>[0];

/** What a group's row shows for a metric column: the mean, std, min and max of its runs' values (those that have one). */
export interface Aggregate {
  mean: number;
  /** The population standard deviation, as the compare view's ± std bands (`seriesGroups`' std): 0 for one run. */
  std: number;
  min: number;
  max: number;
  /** Runs with a finite value. */
  count: number;
}

/** A metric column over a group's runs: for a `…@min` or `…@max` column, the aggregate of each run's best. */
export function aggregateOf(runs: WithSummaries[], column: string): Aggregate | undefined {
  const values = runs.map((run) => metricValue(run, column)).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (!values.length) return undefined;
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
  return { mean, std, min: Math.min(...values), max: Math.max(...values), count: values.length };
}

/** A group's cell: the mean ± std (for a group of several runs, as the compare view's ± std bands), then the min–max. */
export function aggregateText({ mean, std, min, max, count }: Aggregate): { value: string; range: string; title: string } {
  const spread = count > 1 ? ` ± ${formatNumber(std)}` : "";
  return {
    value: formatNumber(mean) + spread,
    range: `${formatNumber(min)}–${formatNumber(max)}`,
    title: `mean${spread ? " ± std" : ""} of ${plural(count, "run")}; min ${formatNumber(min)}, max ${formatNumber(max)}`,
  };
}
