import { metricValue } from "./columns";

type WithSummaries = Parameters<typeof metricValue>[0];

/** What a group's row shows for a metric column: the mean, min and max of its runs' values (those that have one). */
export interface Aggregate {
  mean: number;
  min: number;
  max: number;
  /** Runs with a finite value. */
  count: number;
}

/** A metric column over a group's runs: for a `…@min` or `…@max` column, the aggregate of each run's best. */
export function aggregateOf(runs: WithSummaries[], column: string): Aggregate | undefined {
  const values = runs.map((run) => metricValue(run, column)).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (!values.length) return undefined;
  return { mean: values.reduce((sum, v) => sum + v, 0) / values.length, min: Math.min(...values), max: Math.max(...values), count: values.length };
}
