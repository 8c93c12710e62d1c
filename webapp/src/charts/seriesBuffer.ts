import type { SeriesQuery } from "../gql/graphql";

type MetricValue = number | "NaN" | "Infinity" | "-Infinity";

/** The API sends NaN and ±Infinity as strings; charts want numbers. */
export function toNumber(value: MetricValue | null | undefined): number {
  if (value == null) return NaN;
  if (typeof value === "number") return value;
  return value === "Infinity" ? Infinity : value === "-Infinity" ? -Infinity : NaN;
}

/**
 * A raw point (count 1, no min/max) or a bucket: its last point, plus min/max over its finite values. Built only
 * by `newPoint`: all points then share one shape, so the code that reads them stays optimized when live points
 * (raw) join fetched buckets. With two shapes, the first live redraw fell back from optimized code.
 */
export interface Point {
  step: number;
  /** Epoch milliseconds. */
  time: number;
  value: number;
  min: number | undefined;
  max: number | undefined;
  count: number;
}

const newPoint = (step: number, time: number, value: number, min: number | undefined, max: number | undefined, count: number): Point =>
  ({ step, time, value, min, max, count });

/** The points of one run × name × split held by a chart, kept sorted by step. */
export interface SeriesBuffer {
  runId: string;
  name: string;
  split: string | null;
  points: Point[];
  /** Steps per bucket; 0 while the points are raw. */
  bucketWidth: number;
  /** The buffer is re-bucketed when live points make it longer than twice this. */
  maxPoints: number;
}

type ApiSeries = SeriesQuery["series"][number];
/** A series column by column, as `series` and `metricPoints` send it: entry i of every list is point i. */
export interface Columns {
  steps: number[];
  times: string[];
  values: (MetricValue | null)[];
  mins?: (MetricValue | null)[];
  maxes?: (MetricValue | null)[];
  counts?: (number | null)[];
}

export const seriesKey = (runId: string, name: string, split: string | null) => `${runId}|${name}|${split ?? ""}`;

/** The points of a series sent column by column. */
export function toPoints({ steps, times, values, mins, maxes, counts }: Columns): Point[] {
  const optional = (column: (MetricValue | null)[] | undefined, i: number) => (column?.[i] == null ? undefined : toNumber(column[i]));
  return steps.map((step, i) =>
    newPoint(step, Date.parse(times[i]), toNumber(values[i]), optional(mins, i), optional(maxes, i), counts?.[i] ?? 1));
}

/** The bucket width out of a resolution such as "step-buckets:1000"; 0 for "raw". */
function bucketWidthOf(resolution: string): number {
  const match = /:(\d+)$/.exec(resolution);
  return match ? Number(match[1]) : 0;
}

export function bufferFromSeries(series: ApiSeries, maxPoints: number): SeriesBuffer {
  return {
    runId: series.runId,
    name: series.name,
    split: series.split ?? null,
    points: toPoints(series),
    bucketWidth: series.downsampled ? bucketWidthOf(series.resolution) : 0,
    maxPoints,
  };
}

/** A point's lowest and highest value: its bucket's min and max, or its own value (undefined if not finite). */
export const lowest = (p: Point) => p.min ?? (Number.isFinite(p.value) ? p.value : undefined);
export const highest = (p: Point) => p.max ?? (Number.isFinite(p.value) ? p.value : undefined);
const minOf = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
const maxOf = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/** `later` folded into the bucket `earlier`: the later point represents it, min/max/count cover both. */
function mergeInto(earlier: Point, later: Point): Point {
  const min = minOf(lowest(earlier), lowest(later));
  const max = maxOf(highest(earlier), highest(later));
  return newPoint(later.step, later.time, later.value, min, max, earlier.count + later.count);
}

/** A bucket of one point. */
const bucketOf = (p: Point) => newPoint(p.step, p.time, p.value, lowest(p), highest(p), p.count);

/** Regroups sorted points into buckets of `width` steps (aligned at step 0). */
export function rebucket(points: Point[], width: number): Point[] {
  const result: Point[] = [];
  for (const point of points) {
    const last = result[result.length - 1];
    if (last && Math.floor(last.step / width) === Math.floor(point.step / width)) result[result.length - 1] = mergeInto(last, point);
    else result.push(bucketOf(point));
  }
  return result;
}

/**
 * Adds live points (in step order) to a buffer. A point already held is skipped (it may come both from a
 * refetch and the subscription). In a bucketed buffer a point joins the last bucket when it falls into it.
 * The buffer stays under 2 × maxPoints by doubling the bucket width, so a long live run stays cheap to draw.
 */
export function appendLive(buffer: SeriesBuffer, live: Point[]): void {
  const points = buffer.points;
  for (const point of live) {
    const last = points[points.length - 1];
    if (last && point.step <= last.step) {
      if (buffer.bucketWidth === 0 && !points.some((q) => q.step === point.step)) {
        points.splice(points.findIndex((q) => q.step > point.step), 0, point);
      }
      continue;
    }
    const width = buffer.bucketWidth;
    if (last && width > 0 && Math.floor(last.step / width) === Math.floor(point.step / width)) {
      points[points.length - 1] = mergeInto(last, point);
    } else {
      points.push(width > 0 ? bucketOf(point) : point);
    }
  }
  if (points.length > 2 * buffer.maxPoints) {
    const span = points[points.length - 1].step - points[0].step + 1;
    buffer.bucketWidth = Math.max(2 * buffer.bucketWidth, Math.ceil(span / buffer.maxPoints));
    buffer.points = rebucket(points, buffer.bucketWidth);
  }
}

/**
 * A buffer fetched again (after a gap or a reconnect) that replaces `old`: old points newer than everything
 * fetched are kept, since they came live after the query was answered.
 */
export function refetched(fresh: SeriesBuffer, old: SeriesBuffer | undefined): SeriesBuffer {
  const last = fresh.points[fresh.points.length - 1]?.step ?? -1;
  const newer = old?.points.filter((p) => p.step > last) ?? [];
  if (newer.length) fresh.points.push(...newer);
  return fresh;
}

/** Replaces the points within [fromStep, toStep] by a more detailed fetch of that range (zoom). */
export function spliceRange(buffer: SeriesBuffer, detail: Point[], fromStep: number, toStep: number): void {
  const before = buffer.points.filter((p) => p.step < fromStep);
  const after = buffer.points.filter((p) => p.step > toStep);
  buffer.points = [...before, ...detail, ...after];
}

export interface Extreme {
  step: number;
  value: number;
}

/** The lowest and highest finite values of a line (bucket min/max included); NaN and ±Infinity never count. */
export function extremes(points: Point[]): { min?: Extreme; max?: Extreme } {
  let min: Extreme | undefined;
  let max: Extreme | undefined;
  for (const p of points) {
    const low = lowest(p);
    const high = highest(p);
    if (low !== undefined && Number.isFinite(low) && (!min || low < min.value)) min = { step: p.step, value: low };
    if (high !== undefined && Number.isFinite(high) && (!max || high > max.value)) max = { step: p.step, value: high };
  }
  return { min, max };
}

/**
 * Exponential moving average with TensorBoard's debiasing, so the first values are not pulled to 0.
 * Non-finite values pass through unchanged and do not poison the average.
 */
export function smooth(values: number[], weight: number): number[] {
  if (weight <= 0) return values;
  let average = 0;
  let count = 0;
  return values.map((value) => {
    if (!Number.isFinite(value)) return value;
    average = average * weight + (1 - weight) * value;
    count++;
    return average / (1 - weight ** count);
  });
}
