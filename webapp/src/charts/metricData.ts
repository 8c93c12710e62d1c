import type { XAxisMode } from "../app/viewState";
import type { MetricPointsSubscription, SeriesQuery, SeriesQueryVariables } from "../gql/graphql";
import type { RunInfo } from "./lineChart";
import { appendLive, bufferFromSeries, refetched, seriesKey, spliceRange, toPoints, type Point, type SeriesBuffer } from "./seriesBuffer";
import { xMetricOf, xValuesOf } from "./panels";

export type MetricBatch = MetricPointsSubscription["metricPoints"];
/** Asks the server's `series` query. */
export type FetchSeries = (variables: SeriesQueryVariables) => Promise<SeriesQuery["series"]>;

/** The lines of one metric (one chart) by series key, and the keys of those changed since the chart drew them. */
export interface MetricLines {
  buffers: Map<string, SeriesBuffer>;
  changed: Set<string>;
}

/** A chart's zoom window as ECharts keeps it: percents of the data, and the x values at its edges. */
export interface ZoomWindow {
  start: number;
  end: number;
  startValue: number;
  endValue: number;
}

export interface MetricDataListener {
  /** A metric's lines were (re)loaded, or it got a new line: its chart is drawn again in full. */
  loaded(metric: string): void;
  /** Lines got points (live, or a zoom's detail): their metrics' `changed` say which. */
  changed(): void;
  /** A refetch after a gap failed. */
  failed(error: unknown): void;
}

export interface MetricData {
  /** A metric's lines; empty until its points come. */
  lines(metric: string): MetricLines;
  /** (Re)loads the runs' whole series (all runs by default); live points newer than the answer are kept. */
  load(runIds?: string[]): Promise<void>;
  /** Adds a live batch; a batch marked `gap` has its run's series fetched again. */
  append(batch: MetricBatch): void;
  /** Fetches the steps in a chart's zoom window in detail: a window that shows everything fetches nothing. */
  zoom(metric: string, window: ZoomWindow, x: XAxisMode): Promise<void>;
  dispose(): void;
}

/** Batches with `gap` for several runs usually come together (one slow socket): their runs are refetched at once. */
const GAP_REFETCH_DELAY_MS = 100;

/**
 * The points of some runs' charts: fetched with `series` at about `maxPoints` per line, kept live from
 * `metricPoints` batches, fetched again after a gap, and in detail on zoom. One query per metric name of
 * `metricNames` (the charts known up front, from the runs' summaries), in parallel, so that each chart is drawn as
 * soon as its own data is there, in its own task; one query for them all when none is known. `maxPoints` is asked
 * when first needed.
 */
export function metricData(runs: RunInfo[], metricNames: string[], maxPoints: () => number, fetchSeries: FetchSeries, listener: MetricDataListener): MetricData {
  const runIds = runs.map((r) => r.id);
  const runById = new Map(runs.map((r) => [r.id, r]));
  const metrics = new Map<string, MetricLines>();
  /** Per metric, the number of the latest zoom: answers to earlier ones are stale. */
  const latestZoom = new Map<string, number>();
  let zooms = 0;
  const gapRuns = new Set<string>();
  let gapTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function lines(metric: string): MetricLines {
    let found = metrics.get(metric);
    if (!found) metrics.set(metric, (found = { buffers: new Map(), changed: new Set() }));
    return found;
  }

  async function load(ids = runIds): Promise<void> {
    const queries = metricNames.length ? metricNames.map((name) => [name]) : [undefined];
    // All answers are read before any chart is drawn: a chart drawn as soon as its answer came held up the reading
    // of the others' bodies (in Chromium, on the same thread), and the page drew its last chart 0.4–0.8 s after
    // the last answer had arrived, instead of about 0.35 s (20 runs × 4 metrics).
    const answers = await Promise.all(queries.map((names) => fetchSeries({ runIds: ids, names, maxPoints: maxPoints() })));
    if (disposed) return;
    for (const series of answers) {
      const loaded = new Set<string>();
      for (const s of series) {
        const { buffers } = lines(s.name);
        const key = seriesKey(s.runId, s.name, s.split ?? null);
        buffers.set(key, refetched(bufferFromSeries(s, maxPoints()), buffers.get(key)));
        loaded.add(s.name);
      }
      loaded.forEach((metric) => listener.loaded(metric));
    }
  }

  /** Some of the run's points were dropped for us: its series are fetched again. */
  function refetchSoon(runId: string): void {
    gapRuns.add(runId);
    gapTimer ??= setTimeout(() => {
      gapTimer = undefined;
      const ids = [...gapRuns];
      gapRuns.clear();
      load(ids).catch(listener.failed);
    }, GAP_REFETCH_DELAY_MS);
  }

  function append(batch: MetricBatch): void {
    if (batch.gap) refetchSoon(batch.runId); // and its own points are still added below
    for (const { name, split, ...columns } of batch.series) {
      const { buffers, changed } = lines(name);
      const key = seriesKey(batch.runId, name, split ?? null);
      let buffer = buffers.get(key);
      if (!buffer) {
        buffer = { runId: batch.runId, name, split: split ?? null, points: [], bucketWidth: 0, maxPoints: maxPoints() };
        buffers.set(key, buffer);
        listener.loaded(name); // a new line needs its legend entry
      }
      appendLive(buffer, toPoints(columns));
      changed.add(key);
    }
    listener.changed();
  }

  /** The steps shown by a zoom window, or undefined when it shows everything. */
  function zoomedSteps({ buffers }: MetricLines, window: ZoomWindow, x: XAxisMode): [number, number] | undefined {
    if (window.start <= 0 && window.end >= 100) return undefined;
    if (x === "step") return [Math.floor(window.startValue), Math.ceil(window.endValue)];
    const xMetric = xMetricOf(x);
    const steps = [...buffers.values()].flatMap((buffer) => {
      const run = runById.get(buffer.runId)!;
      const xAt = xMetric ? xValuesOf(lines(xMetric).buffers.values(), buffer.runId, buffer.split) : undefined;
      const xOf = (p: Point) => (x === "wall" ? p.time : x === "relative" ? (p.time - run.start) / 1000 : (xAt?.get(p.step) ?? NaN));
      return buffer.points.filter((p) => xOf(p) >= window.startValue && xOf(p) <= window.endValue).map((p) => p.step);
    });
    return steps.length ? [Math.min(...steps), Math.max(...steps)] : undefined;
  }

  async function zoom(metric: string, window: ZoomWindow, x: XAxisMode): Promise<void> {
    const metricLines = lines(metric);
    const range = zoomedSteps(metricLines, window, x);
    if (!range) return;
    const [fromStep, toStep] = range;
    const zoomed = ++zooms;
    latestZoom.set(metric, zoomed);
    const series = await fetchSeries({ runIds, names: [metric], maxPoints: maxPoints(), fromStep, toStep });
    if (disposed || latestZoom.get(metric) !== zoomed) return; // a newer zoom's answer is the one to show
    for (const s of series) {
      const key = seriesKey(s.runId, s.name, s.split ?? null);
      const buffer = metricLines.buffers.get(key);
      if (!buffer) continue;
      spliceRange(buffer, toPoints(s), fromStep, toStep);
      metricLines.changed.add(key);
    }
    listener.changed();
  }

  return {
    lines,
    load,
    append,
    zoom,
    dispose: () => {
      disposed = true;
      clearTimeout(gapTimer);
    },
  };
}
