import type { TableState } from "../app/viewState";
import { formatNumber } from "../ui/dom";
import type { CompareOp, MetricRef, ParamFilter, MetricFilter, RunFilter, RunOrder, RunRowFragment, SummaryStat } from "../gql/graphql";

/**
 * Column keys: fixed ones, `p:<param path>` and `m:<metric>~<split>` (split left out when null) for a series' last
 * value, with `@min` or `@max` after it for its lowest or highest (the best loss, the best accuracy).
 */
export const paramColumn = (path: string) => `p:${path}`;
export const metricColumn = (name: string, split: string | null | undefined, stat: SummaryStat = "LAST") =>
  `m:${name}${split ? `~${split}` : ""}${stat === "LAST" ? "" : `@${stat.toLowerCase()}`}`;

export function metricOf(column: string): { name: string; split: string | null; stat: SummaryStat } {
  const suffix = /@(min|max)$/.exec(column);
  const stat: SummaryStat = suffix ? (suffix[1] === "min" ? "MIN" : "MAX") : "LAST";
  const body = column.slice(2, suffix ? -suffix[0].length : undefined);
  const tilde = body.lastIndexOf("~");
  return tilde < 0 ? { name: body, split: null, stat } : { name: body.slice(0, tilde), split: body.slice(tilde + 1), stat };
}

const OPS: Record<string, CompareOp> = { "=": "EQ", "!=": "NE", "<": "LT", "<=": "LTE", ">": "GT", ">=": "GTE" };

/** `> 0.5` → GT "0.5"; without an operator it means equals. Undefined when there is no value. */
export function parseFilter(expression: string): { op: CompareOp; value: string } | undefined {
  const match = /^\s*(<=|>=|!=|=|<|>)?\s*(.*?)\s*$/.exec(expression)!;
  return match[2] ? { op: OPS[match[1] ?? "="], value: match[2] } : undefined;
}

/** A param filter value: JSON when it parses (numbers, true, "quoted"), a plain string otherwise. */
function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The `runs` arguments that make the server filter and sort as the table shows. */
export function runQueryArguments(table: TableState): { filter: RunFilter; orderBy: RunOrder[] } {
  const filter: RunFilter = {};
  if (table.search) filter.nameContains = table.search;
  if (table.statuses.length) filter.status = table.statuses;
  const params: ParamFilter[] = [];
  const metrics: MetricFilter[] = [];
  for (const [column, expression] of Object.entries(table.filters)) {
    const parsed = parseFilter(expression);
    if (!parsed) continue;
    if (column.startsWith("p:")) params.push({ key: column.slice(2), op: parsed.op, value: jsonValue(parsed.value) });
    else if (column.startsWith("m:") && Number.isFinite(Number(parsed.value)))
      metrics.push({ ...metricOf(column), op: parsed.op, value: Number(parsed.value) });
  }
  const tags = tagList(table.filters.tags ?? "");
  if (tags.length) filter.tags = tags;
  if (params.length) filter.params = params;
  if (metrics.length) filter.metrics = metrics;
  return { filter, orderBy: table.sort ? [orderOf(table.sort.column, table.sort.desc)] : [] };
}

/** Tags as typed: separated by commas, trimmed, each once. */
export const tagList = (text: string) => [...new Set(text.split(",").map((tag) => tag.trim()).filter(Boolean))];

/** Whether a run's row matches a `runs` filter as the server would judge it (RunSearch): for a run met live. */
export function matchesFilter(run: Pick<RunRowFragment, "name" | "status" | "hyperparameters" | "tags"> & { summaries: Summary[] }, filter: RunFilter): boolean {
  if (filter.nameContains && !(run.name ?? "").toLowerCase().includes(filter.nameContains.toLowerCase())) return false;
  if (filter.status?.length && !filter.status.includes(run.status)) return false;
  if (filter.tags?.some((tag) => !run.tags.includes(tag))) return false;
  for (const { key, op, value } of filter.params ?? []) {
    const actual = paramValue(run.hyperparameters, key);
    if (op === "EQ" || op === "NE") {
      if (contains(actual, value) !== (op === "EQ")) return false;
    } else if (typeof actual !== "number" || !compare(actual, op, Number(value))) return false;
  }
  for (const { name, split, stat, op, value } of filter.metrics ?? []) {
    const actual = metricValue(run, metricColumn(name, split, stat ?? "LAST"));
    if (typeof actual !== "number" || !compare(actual, op, value)) return false;
  }
  return true;
}

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case "EQ": return a === b;
    case "NE": return a !== b;
    case "LT": return a < b;
    case "LTE": return a <= b;
    case "GT": return a > b;
    case "GTE": return a >= b;
  }
}

/** JSON containment as PostgreSQL's jsonb `@>` has it: objects by their keys, arrays by their elements. */
function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.every((e) => actual.some((a) => contains(a, e)));
  if (expected !== null && typeof expected === "object") {
    return actual !== null && typeof actual === "object" && !Array.isArray(actual)
      && Object.entries(expected).every(([key, e]) => contains((actual as Record<string, unknown>)[key], e));
  }
  return actual === expected;
}

/** The `runs` order of a column, as the server sorts it. */
export function orderOf(column: string, desc: boolean): RunOrder {
  const direction = desc ? "DESC" : "ASC";
  if (column.startsWith("p:")) return { field: "PARAM", direction, param: column.slice(2) };
  if (column.startsWith("m:")) {
    const metric: MetricRef = metricOf(column);
    return { field: "METRIC", direction, metric };
  }
  return { field: column === "name" ? "NAME" : column === "status" ? "STATUS" : "CREATED_AT", direction };
}

/** Columns the server can sort on. */
export const isSortable = (column: string) => !["model", "duration", "tags"].includes(column);

/** Leaf paths of a hyperparameter object, dotted as the API's ParamFilter expects. */
export function paramPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([key, inner]) => paramPaths(inner, prefix ? `${prefix}.${key}` : key));
}

/** A hyperparameter as shown: strings bare, numbers as metrics are, anything else as JSON, "–" when the run lacks it. */
export const formatParam = (value: unknown) =>
  value === undefined ? "–" : typeof value === "string" ? value : typeof value === "number" ? formatNumber(value) : JSON.stringify(value);

export function paramValue(hyperparameters: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), hyperparameters);
}

type SummaryRow = RunRowFragment["summaries"][number];
/** A series' summary as the views load it; min and max only where a view asks for them. */
type Summary = Pick<SummaryRow, "name" | "split" | "last"> & Partial<Pick<SummaryRow, "min" | "max">>;

export function metricValue(run: { summaries: Summary[] }, column: string) {
  const { name, split, stat } = metricOf(column);
  const summary = run.summaries.find((s) => s.name === name && (s.split ?? null) === split);
  return stat === "MIN" ? summary?.min : stat === "MAX" ? summary?.max : summary?.last;
}

/** The metric names the runs have logged so far, sorted. */
export const metricNamesOf = (runs: { summaries: Summary[] }[]) => [...new Set(runs.flatMap((run) => run.summaries.map((s) => s.name)))].sort();

/** Splits that hold what a run is judged by, shown first. */
const EVALUATION_SPLIT = /^(val|valid|validation|eval|test|dev)$/i;
/** Names of what a run is judged by (rather than a learning rate or a timing), shown next. */
const OBJECTIVE = /(^|[/_.-])(loss|acc|accuracy|error|f1|auc|bleu|rouge|perplexity|score)($|[/_.-])/i;

/** Hyperparameter paths whose values differ between the runs (a constant one tells nothing); a lone run's all. */
export function varyingParamPaths(runs: Pick<RunRowFragment, "hyperparameters">[]): string[] {
  const paths = [...new Set(runs.flatMap((run) => paramPaths(run.hyperparameters)))];
  if (runs.length < 2) return paths;
  return paths.filter((path) => new Set(runs.map((run) => formatParam(paramValue(run.hyperparameters, path)))).size > 1);
}

/**
 * The runs' series as metric columns, the telling ones first: evaluation splits before the others, and within each,
 * losses and accuracies before the rest; then by name.
 */
export function rankedMetrics(runs: { summaries: Summary[] }[]): string[] {
  const series = [...new Map(runs.flatMap((run) => run.summaries).map((s) => [metricColumn(s.name, s.split), s])).entries()];
  const rank = ({ name, split }: Summary) => (split && EVALUATION_SPLIT.test(split) ? 0 : 2) + (OBJECTIVE.test(name) ? 0 : 1);
  return series.sort(([a, x], [b, y]) => rank(x) - rank(y) || a.localeCompare(b)).map(([column]) => column);
}

/**
 * The columns a table starts with when the URL names none: the hyperparameters whose values differ between the runs
 * (with one run, its first ones), and the metrics in `rankedMetrics`' order.
 */
export function defaultColumns(runs: (Pick<RunRowFragment, "hyperparameters"> & { summaries: Summary[] })[], maxParams: number, maxMetrics: number): { params: string[]; metrics: string[] } {
  return { params: varyingParamPaths(runs).slice(0, maxParams).map(paramColumn), metrics: rankedMetrics(runs).slice(0, maxMetrics) };
}
