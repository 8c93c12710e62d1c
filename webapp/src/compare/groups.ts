import type { GroupByInput, RunRowFragment, SeriesGroupsQuery, SeriesQuery } from "../gql/graphql";
import { formatParam, paramValue } from "../runs/columns";
import { toNumber } from "../charts/seriesBuffer";
import { plural } from "../ui/dom";

/**
 * The compare view's grouping, kept in the URL: `group=lr,optimizer,@model,@tags` (hyperparameter paths; `@model` and
 * `@tags` for the run's model and its set of tags), `stat=median` (the line; the mean by default) and `band=std`
 * (mean ± std; min–max by default). No `group`: each run its own line.
 */
export interface Grouping {
  by: string[];
  stat: "mean" | "median";
  band: "minmax" | "std";
}

export const MODEL = "@model";
export const TAGS = "@tags";

export function parseGrouping(query: URLSearchParams): Grouping {
  return {
    by: (query.get("group") ?? "").split(",").filter(Boolean),
    stat: query.get("stat") === "median" ? "median" : "mean",
    band: query.get("band") === "std" ? "std" : "minmax",
  };
}

export function setGroupingQuery(query: URLSearchParams, { by, stat, band }: Grouping): void {
  if (!by.length) return;
  query.set("group", by.join(","));
  if (stat !== "mean") query.set("stat", stat);
  if (band !== "minmax") query.set("band", band);
}

export const groupByInput = (by: string[]) =>
  ({ hyperparameters: by.filter((b) => b !== MODEL && b !== TAGS), model: by.includes(MODEL), tags: by.includes(TAGS) }) satisfies GroupByInput;

/** A group's key as `seriesGroups` answers it: the values its runs share, of what was grouped by. */
export interface GroupKey {
  hyperparameters?: Record<string, unknown>;
  model?: { id: string; name: string } | null;
  tags?: string[];
}

type GroupedRun = Pick<RunRowFragment, "id" | "hyperparameters" | "tags" | "model">;

/** A run's key, built as the server builds it (a missing hyperparameter is null), so that the two name groups alike. */
export function runGroupKey(run: GroupedRun, by: string[]): GroupKey {
  const input = groupByInput(by);
  return {
    hyperparameters: Object.fromEntries(input.hyperparameters.map((path) => [path, paramValue(run.hyperparameters, path) ?? null])),
    ...(input.model ? { model: { id: run.model.id, name: run.model.name } } : {}),
    ...(input.tags ? { tags: [...run.tags].sort() } : {}),
  };
}

/**
 * What a group shares, in words: `lr=0.001, optimizer=adam`; it tells the groups apart, and so also names them. The
 * hyperparameters in the order of their names, whatever the order of the key's fields.
 */
export function keyText(key: GroupKey): string {
  const parts = Object.entries(key.hyperparameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, value]) => `${path}=${formatParam(value)}`);
  if (key.model !== undefined) parts.push(`model=${key.model?.name ?? "none"}`);
  if (key.tags !== undefined) parts.push(`tags=${key.tags.length ? [...key.tags].sort().join("+") : "none"}`);
  return parts.join(", ");
}

export interface RunGroup<R> {
  /** keyText of its key. */
  id: string;
  /** Its key and size: `lr=0.001, optimizer=adam (3 runs)`. */
  label: string;
  runs: R[];
}

/** The runs grouped by their keys, in the order of their first runs. */
export function groupRuns<R extends GroupedRun>(runs: R[], by: string[]): RunGroup<R>[] {
  const groups = new Map<string, R[]>();
  for (const run of runs) {
    const id = keyText(runGroupKey(run, by));
    groups.set(id, [...(groups.get(id) ?? []), run]);
  }
  return [...groups].map(([id, members]) => ({ id, label: `${id} (${plural(members.length, "run")})`, runs: members }));
}

type SeriesGroup = SeriesGroupsQuery["seriesGroups"][number];
type ApiSeries = SeriesQuery["series"][number];

/**
 * A group's columns as a chart line with its band, in the shape of one run's downsampled series (the line drawn by
 * `stat`, the band by `band`), so that the charts draw it as they draw a run's: its "run" is the group (keyText).
 * The groups have no times: their x axis is the step.
 */
export function groupSeries(group: SeriesGroup, name: string, split: string | null, { stat, band }: Grouping): ApiSeries {
  const values = group[stat];
  const around = (sign: number) => group.mean.map((mean, i) => toNumber(mean) + sign * toNumber(group.std[i]));
  return {
    runId: keyText(group.key as GroupKey),
    name,
    split,
    // a band is drawn for downsampled lines, each point's bucket as wide as the steps between points
    downsampled: true,
    resolution: `groups:${Math.max(1, (group.steps[1] ?? 0) - (group.steps[0] ?? 0))}`,
    steps: group.steps,
    times: group.steps.map(() => EPOCH),
    values,
    mins: band === "std" ? around(-1) : group.min,
    maxes: band === "std" ? around(1) : group.max,
    counts: group.runs,
  };
}

const EPOCH = new Date(0).toISOString();
