import { plural } from "../ui/dom";
import type { EvalChange, EvalResultSortField, RunStatus, SpanStatus, SpanType, TraceSortField } from "../gql/graphql";
import { parseGrouping, setGroupingQuery, type Grouping } from "../compare/groups";
import { isSmoothing, isXAxisMode, parsePerChart, setPerChartQuery, type ChartOverrides } from "../charts/chartOverrides";

/** What a chart panel shows besides the data; kept in the URL so a view can be bookmarked. */
/** `m:<name>`: against another metric of the run, such as `m:epoch` (see charts/panels.ts). */
export type XAxisMode = "step" | "relative" | "wall" | `m:${string}`;
export interface ChartSettings {
  x: XAxisMode;
  /** EMA weight, 0 (off) to 0.99. */
  smoothing: number;
  log: boolean;
  /** Pins on each line's min and max (off by default: on a compare view of many lines they pile up). */
  pins: boolean;
  /** Which charts are shown: a text their names contain, or a `/regex/`; "" for all (see charts/panels.ts). */
  charts: string;
  /** A chart's own settings by its metric's name (`c.<metric>=`, see charts/chartOverrides.ts): only charts that have any. */
  perChart: Record<string, ChartOverrides>;
}

/**
 * The runs table of a project. Columns are keys: `name`, `status`, `created`, `model`, `duration`,
 * `p:<param path>` or `m:<metric>~<split>` (see runs/columns.ts).
 */
export interface TableState {
  modelId?: string;
  search: string;
  statuses: RunStatus[];
  params: string[];
  metrics: string[];
  sort?: { column: string; desc: boolean };
  /** Column key → filter expression such as `> 0.5` or `adam`. */
  filters: Record<string, string>;
  /** What the rows are grouped by, as the compare view groups runs (`group=`, see compare/groups.ts); none: no groups. */
  groupBy: string[];
}

/** The trace list of a project or a run: filters and sort, all applied by the server (see traces/traceList.ts). */
export interface TraceListState {
  statuses: SpanStatus[];
  spanTypes: SpanType[];
  model: string;
  session: string;
  search: string;
  sort?: { field: TraceSortField; desc: boolean };
}

/** An eval run's results table: filters and sort, applied by the server (see evals/resultsView.ts). */
export interface EvalResultsState {
  /** true: errored results only; false: without error; undefined: all. */
  errored?: boolean;
  /** The score the bounds and the SCORE sort apply to. */
  score: string;
  min?: number;
  max?: number;
  sort?: { field: EvalResultSortField; desc: boolean };
}

/** An artifact version as a URL names it: its number, or an alias that points at one. */
export type ArtifactVersionRef = { version: number; alias?: undefined } | { alias: string; version?: undefined };

/** Whose traces a list shows. */
export type TraceScope = { project: string; runId?: undefined } | { runId: string; project?: undefined };

export type View =
  | { kind: "projects" }
  /** `best`: the overview's ranking, a metric column with its stat (`m:loss~val@min`, see projects/bestRuns.ts). */
  | { kind: "project"; project: string; table: TableState; best?: string }
  /** `byRun`: the lines in their runs' colours, not on the metric's scale. */
  | { kind: "params"; project: string; metric?: string; byRun?: boolean }
  | { kind: "run"; runId: string; chart: ChartSettings }
  /** `hidden`: runs of the selection hidden from every chart (they keep their colour and place). */
  | { kind: "compare"; runIds: string[]; chart: ChartSettings; hidden: string[]; grouping: Grouping }
  | ({ kind: "traces"; list: TraceListState } & TraceScope)
  | { kind: "trace"; project: string; traceId: string; spanId?: string }
  | { kind: "session"; project: string; sessionId: string }
  | { kind: "prompts"; project: string }
  /** A prompt: its versions, the diff of versions `diff` (old, new), and the calls of version `version`. */
  | { kind: "prompt"; project: string; name: string; diff?: [number, number]; version?: number }
  | { kind: "evalResults"; runId: string; results: EvalResultsState }
  | { kind: "artifacts"; project: string }
  | { kind: "artifact"; project: string; name: string }
  /** A version by number or by alias (`/v/best`), and the file whose preview is open. */
  | { kind: "artifactVersion"; project: string; name: string; version: ArtifactVersionRef; file?: string }
  | { kind: "runArtifacts"; runId: string }
  | { kind: "evalCompare"; baseline: string; contenders: string[]; score: string; changes: EvalChange[] }
  | { kind: "notFound"; path: string };

const defaultChartSettings: ChartSettings = { x: "step", smoothing: 0, log: false, pins: false, charts: "", perChart: {} };
export const RUN_STATUSES: RunStatus[] = ["RUNNING", "COMPLETED", "FAILED", "CRASHED"];

const SPAN_STATUSES: SpanStatus[] = ["OK", "ERROR", "UNSET"];
const SPAN_TYPES: SpanType[] = ["LLM", "TOOL", "AGENT", "RETRIEVER", "EMBEDDING", "CHAIN", "SPAN"];
const TRACE_SORT_FIELDS: TraceSortField[] = ["START_TIME", "DURATION", "TOKENS", "COST"];

export function emptyTraceListState(): TraceListState {
  return { statuses: [], spanTypes: [], model: "", session: "", search: "" };
}

/** The values of a comma-separated query parameter that are among `allowed`. */
const listOf = <T extends string>(query: URLSearchParams, name: string, allowed: T[]) =>
  (query.get(name) ?? "").split(",").filter((s): s is T => allowed.includes(s as T));

function parseTraceList(query: URLSearchParams): TraceListState {
  const sort = query.get("sort") ?? "";
  const field = sort.replace(/^-/, "").toUpperCase() as TraceSortField;
  return {
    statuses: listOf(query, "status", SPAN_STATUSES),
    spanTypes: listOf(query, "type", SPAN_TYPES),
    model: query.get("model") ?? "",
    session: query.get("session") ?? "",
    search: query.get("q") ?? "",
    sort: TRACE_SORT_FIELDS.includes(field) ? { field, desc: sort.startsWith("-") } : undefined,
  };
}

function traceListQuery(list: TraceListState): URLSearchParams {
  const query = new URLSearchParams();
  if (list.statuses.length) query.set("status", list.statuses.join(","));
  if (list.spanTypes.length) query.set("type", list.spanTypes.join(","));
  if (list.model) query.set("model", list.model);
  if (list.session) query.set("session", list.session);
  if (list.search) query.set("q", list.search);
  if (list.sort) query.set("sort", (list.sort.desc ? "-" : "") + list.sort.field.toLowerCase());
  return query;
}

const EVAL_CHANGES: EvalChange[] = ["REGRESSED", "IMPROVED", "CHANGED", "UNCHANGED", "ERRORED"];
const EVAL_SORT_FIELDS: EvalResultSortField[] = ["ITEM", "LATENCY", "COST", "SCORE"];

/** A number from the query, or undefined when absent or not a number. */
function numberOf(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  return value !== null && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;
}

function parseEvalResults(query: URLSearchParams): EvalResultsState {
  const errored = query.get("errored");
  const sort = query.get("sort") ?? "";
  const field = sort.replace(/^-/, "").toUpperCase() as EvalResultSortField;
  return {
    errored: errored === "1" ? true : errored === "0" ? false : undefined,
    score: query.get("score") ?? "",
    min: numberOf(query, "min"),
    max: numberOf(query, "max"),
    sort: EVAL_SORT_FIELDS.includes(field) ? { field, desc: sort.startsWith("-") } : undefined,
  };
}

function evalResultsQuery(results: EvalResultsState): URLSearchParams {
  const query = new URLSearchParams();
  if (results.errored !== undefined) query.set("errored", results.errored ? "1" : "0");
  if (results.score) query.set("score", results.score);
  if (results.min !== undefined) query.set("min", String(results.min));
  if (results.max !== undefined) query.set("max", String(results.max));
  if (results.sort) query.set("sort", (results.sort.desc ? "-" : "") + results.sort.field.toLowerCase());
  return query;
}

export function emptyTableState(): TableState {
  return { search: "", statuses: [], params: [], metrics: [], filters: {}, groupBy: [] };
}

function parseChart(query: URLSearchParams): ChartSettings {
  const x = query.get("x") ?? "";
  const smoothing = Number(query.get("smooth"));
  return {
    x: isXAxisMode(x) ? x : "step",
    smoothing: isSmoothing(smoothing) ? smoothing : 0,
    log: query.get("log") === "1",
    pins: query.get("pins") === "1",
    charts: query.get("charts") ?? "",
    perChart: parsePerChart(query),
  };
}

function chartQuery(chart: ChartSettings): URLSearchParams {
  const query = new URLSearchParams();
  if (chart.x !== "step") query.set("x", chart.x);
  if (chart.smoothing > 0) query.set("smooth", String(chart.smoothing));
  if (chart.log) query.set("log", "1");
  if (chart.pins) query.set("pins", "1");
  if (chart.charts) query.set("charts", chart.charts);
  setPerChartQuery(query, chart.perChart);
  return query;
}

function parseTable(query: URLSearchParams): TableState {
  const table = emptyTableState();
  table.modelId = query.get("model") ?? undefined;
  table.search = query.get("q") ?? "";
  table.statuses = (query.get("status") ?? "").split(",").filter((s): s is RunStatus => RUN_STATUSES.includes(s as RunStatus));
  table.params = query.getAll("param");
  table.metrics = query.getAll("metric");
  const sort = query.get("sort");
  if (sort) table.sort = sort.startsWith("-") ? { column: sort.slice(1), desc: true } : { column: sort, desc: false };
  for (const [key, value] of query) if (key.startsWith("f.") && value) table.filters[key.slice(2)] = value;
  table.groupBy = parseGrouping(query).by;
  return table;
}

function tableQuery(table: TableState): URLSearchParams {
  const query = new URLSearchParams();
  if (table.modelId) query.set("model", table.modelId);
  if (table.search) query.set("q", table.search);
  if (table.statuses.length) query.set("status", table.statuses.join(","));
  table.params.forEach((p) => query.append("param", p));
  table.metrics.forEach((m) => query.append("metric", m));
  if (table.sort) query.set("sort", (table.sort.desc ? "-" : "") + table.sort.column);
  for (const [column, expression] of Object.entries(table.filters)) if (expression) query.set(`f.${column}`, expression);
  if (table.groupBy.length) query.set("group", table.groupBy.join(","));
  return query;
}

/** A version number: a whole number from 1, else undefined. */
const versionNumber = (text: string | undefined) => (text && /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined);

/** `?diff=1..3&version=2`. */
function parsePromptQuery(query: URLSearchParams): { diff?: [number, number]; version?: number } {
  const [from, to] = (query.get("diff") ?? "").split("..");
  const diff: [number | undefined, number | undefined] = [versionNumber(from), versionNumber(to)];
  return {
    diff: diff[0] !== undefined && diff[1] !== undefined ? [diff[0], diff[1]] : undefined,
    version: versionNumber(query.get("version") ?? undefined),
  };
}

/** `/v/3` names version 3; `/v/best` the version the alias points at. */
function versionRef(text: string): ArtifactVersionRef {
  const version = versionNumber(text);
  return version !== undefined ? { version } : { alias: text };
}

const withQuery = (path: string, query: URLSearchParams) => (query.size ? `${path}?${query}` : path);

/** The view a URL shows. */
export function parseUrl(url: URL): View {
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const query = url.searchParams;
  if (parts.length === 0) return { kind: "projects" };
  if (parts[0] === "projects" && parts.length === 2) return { kind: "project", project: parts[1], table: parseTable(query), best: query.get("best") ?? undefined };
  if (parts[0] === "projects" && parts.length === 3 && parts[2] === "params")
    return { kind: "params", project: parts[1], metric: query.get("metric") ?? undefined, byRun: query.get("colour") === "run" || undefined };
  if (parts[0] === "projects" && parts.length === 3 && parts[2] === "traces") return { kind: "traces", project: parts[1], list: parseTraceList(query) };
  if (parts[0] === "projects" && parts.length === 4 && parts[2] === "traces")
    return { kind: "trace", project: parts[1], traceId: parts[3], spanId: query.get("span") ?? undefined };
  if (parts[0] === "projects" && parts.length === 4 && parts[2] === "sessions") return { kind: "session", project: parts[1], sessionId: parts[3] };
  if (parts[0] === "projects" && parts.length === 3 && parts[2] === "prompts") return { kind: "prompts", project: parts[1] };
  if (parts[0] === "projects" && parts.length === 4 && parts[2] === "prompts") return { kind: "prompt", project: parts[1], name: parts[3], ...parsePromptQuery(query) };
  if (parts[0] === "projects" && parts.length === 3 && parts[2] === "artifacts") return { kind: "artifacts", project: parts[1] };
  if (parts[0] === "projects" && parts.length === 4 && parts[2] === "artifacts") return { kind: "artifact", project: parts[1], name: parts[3] };
  if (parts[0] === "projects" && parts.length === 6 && parts[2] === "artifacts" && parts[4] === "v")
    return { kind: "artifactVersion", project: parts[1], name: parts[3], version: versionRef(parts[5]), file: query.get("file") ?? undefined };
  if (parts[0] === "runs" && parts.length === 3 && parts[2] === "artifacts") return { kind: "runArtifacts", runId: parts[1] };
  if (parts[0] === "runs" && parts.length === 3 && parts[2] === "traces") return { kind: "traces", runId: parts[1], list: parseTraceList(query) };
  if (parts[0] === "runs" && parts.length === 3 && parts[2] === "results") return { kind: "evalResults", runId: parts[1], results: parseEvalResults(query) };
  if (parts[0] === "evals" && parts.length === 2 && parts[1] === "compare") {
    const baseline = query.get("baseline") ?? "";
    const contenders = (query.get("runs") ?? "").split(",").filter(Boolean);
    if (baseline && contenders.length)
      return { kind: "evalCompare", baseline, contenders, score: query.get("score") ?? "", changes: listOf(query, "changes", EVAL_CHANGES) };
  }
  if (parts[0] === "runs" && parts.length === 2) return { kind: "run", runId: parts[1], chart: parseChart(query) };
  if (parts[0] === "compare" && parts.length === 2) {
    const runIds = parts[1].split(",").filter(Boolean);
    const hidden = (query.get("hide") ?? "").split(",").filter((id) => runIds.includes(id));
    if (runIds.length) return { kind: "compare", runIds, chart: parseChart(query), hidden, grouping: parseGrouping(query) };
  }
  return { kind: "notFound", path: url.pathname };
}

/**
 * The page's title for a view, before it loads anything (a run's view names the run once loaded): what it shows,
 * then where. Tabs and history entries tell the views apart by it.
 */
export function viewTitle(view: View): string[] {
  switch (view.kind) {
    case "projects": return ["Projects"];
    case "project": return [view.project];
    case "params": return ["Hyperparameters", view.project];
    case "run": return [`Run ${view.runId}`];
    case "compare": return [`Compare ${plural(view.runIds.length, "run")}`];
    case "traces": return ["Traces", view.project ?? `Run ${view.runId}`];
    case "trace": return ["Trace", view.project];
    case "session": return [`Session ${view.sessionId}`, view.project];
    case "prompts": return ["Prompts", view.project];
    case "prompt": return [view.name, "Prompts", view.project];
    case "evalResults": return ["Results", `Run ${view.runId}`];
    case "evalCompare": return [`Compare ${plural(view.contenders.length + 1, "run")}`];
    case "artifacts": return ["Artifacts", view.project];
    case "artifact": return [view.name, view.project];
    case "artifactVersion": return [`${view.name}:${view.version.version !== undefined ? `v${view.version.version}` : view.version.alias}`, view.project];
    case "runArtifacts": return ["Artifacts", `Run ${view.runId}`];
    case "notFound": return ["Not found"];
  }
}

/** The URL (path and query) that shows a view; the inverse of parseUrl. */
export function viewUrl(view: View): string {
  const segment = encodeURIComponent;
  switch (view.kind) {
    case "projects":
      return "/";
    case "project": {
      const query = tableQuery(view.table);
      if (view.best) query.set("best", view.best);
      return withQuery(`/projects/${segment(view.project)}`, query);
    }
    case "params":
      return withQuery(`/projects/${segment(view.project)}/params`,
        new URLSearchParams({ ...(view.metric ? { metric: view.metric } : {}), ...(view.byRun ? { colour: "run" } : {}) }));
    case "run":
      return withQuery(`/runs/${segment(view.runId)}`, chartQuery(view.chart));
    case "compare": {
      const query = chartQuery(view.chart);
      if (view.hidden.length) query.set("hide", view.hidden.join(","));
      setGroupingQuery(query, view.grouping);
      return withQuery(`/compare/${view.runIds.map(segment).join(",")}`, query);
    }
    case "traces":
      return withQuery(view.project !== undefined ? `/projects/${segment(view.project)}/traces` : `/runs/${segment(view.runId)}/traces`, traceListQuery(view.list));
    case "trace":
      return withQuery(`/projects/${segment(view.project)}/traces/${segment(view.traceId)}`, new URLSearchParams(view.spanId ? { span: view.spanId } : {}));
    case "session":
      return `/projects/${segment(view.project)}/sessions/${segment(view.sessionId)}`;
    case "prompts":
      return `/projects/${segment(view.project)}/prompts`;
    case "prompt": {
      const query = new URLSearchParams();
      if (view.diff) query.set("diff", `${view.diff[0]}..${view.diff[1]}`);
      if (view.version !== undefined) query.set("version", String(view.version));
      return withQuery(`/projects/${segment(view.project)}/prompts/${segment(view.name)}`, query);
    }
    case "evalResults":
      return withQuery(`/runs/${segment(view.runId)}/results`, evalResultsQuery(view.results));
    case "artifacts":
      return `/projects/${segment(view.project)}/artifacts`;
    case "artifact":
      return `/projects/${segment(view.project)}/artifacts/${segment(view.name)}`;
    case "artifactVersion":
      return withQuery(`/projects/${segment(view.project)}/artifacts/${segment(view.name)}/v/${segment(String(view.version.version ?? view.version.alias))}`,
        new URLSearchParams(view.file ? { file: view.file } : {}));
    case "runArtifacts":
      return `/runs/${segment(view.runId)}/artifacts`;
    case "evalCompare": {
      const query = new URLSearchParams({ baseline: view.baseline, runs: view.contenders.join(",") });
      if (view.score) query.set("score", view.score);
      if (view.changes.length) query.set("changes", view.changes.join(","));
      return `/evals/compare?${query}`;
    }
    case "notFound":
      return view.path;
  }
}

/** Links to the main views, in their default state. */
export const projectUrl = (project: string, modelId?: string) => viewUrl({ kind: "project", project, table: { ...emptyTableState(), modelId } });
export const runUrl = (runId: string) => viewUrl({ kind: "run", runId, chart: defaultChartSettings });
export const compareUrl = (runIds: string[]) => viewUrl({ kind: "compare", runIds, chart: defaultChartSettings, hidden: [], grouping: parseGrouping(new URLSearchParams()) });
export const tracesUrl = (scope: TraceScope, list: Partial<TraceListState> = {}) =>
  viewUrl({ kind: "traces", ...scope, list: { ...emptyTraceListState(), ...list } } as View);
export const traceUrl = (project: string, traceId: string, spanId?: string) => viewUrl({ kind: "trace", project, traceId, spanId });
export const sessionUrl = (project: string, sessionId: string) => viewUrl({ kind: "session", project, sessionId });
export const promptsUrl = (project: string) => viewUrl({ kind: "prompts", project });
export const promptUrl = (project: string, name: string, state: { diff?: [number, number]; version?: number } = {}) =>
  viewUrl({ kind: "prompt", project, name, ...state });
export const evalResultsUrl = (runId: string, results: Partial<EvalResultsState> = {}) =>
  viewUrl({ kind: "evalResults", runId, results: { score: "", ...results } });
export const evalCompareUrl = (baseline: string, contenders: string[], changes: EvalChange[] = [], score = "") =>
  viewUrl({ kind: "evalCompare", baseline, contenders, score, changes });
export const artifactsUrl = (project: string) => viewUrl({ kind: "artifacts", project });
export const artifactUrl = (project: string, name: string) => viewUrl({ kind: "artifact", project, name });
export const artifactVersionUrl = (project: string, name: string, version: number | string, file?: string) =>
  viewUrl({ kind: "artifactVersion", project, name, version: typeof version === "number" ? { version } : { alias: version }, file });
export const runArtifactsUrl = (runId: string) => viewUrl({ kind: "runArtifacts", runId });
