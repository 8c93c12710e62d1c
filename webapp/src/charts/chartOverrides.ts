import type { ChartSettings, XAxisMode } from "../app/viewState";

/**
 * What one chart is set to apart from the page's toolbar: its own smoothing, scale, pins and x axis (each overriding
 * the page's when present), its y range, its zoom window (x values at the edges), the lines hidden in its legend
 * (by name) and its height in pixels (pulled by its corner). Kept in the URL as `c.<metric>=` (see formatOverrides).
 */
export interface ChartOverrides {
  smoothing?: number;
  log?: boolean;
  pins?: boolean;
  x?: XAxisMode;
  yMin?: number;
  yMax?: number;
  zoom?: [number, number];
  hidden?: string[];
  height?: number;
}

/** A number from text, or undefined when empty or not a number. */
const numberOf = (text: string | undefined) => (text !== undefined && text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : undefined);

export const isXAxisMode = (x: string): x is XAxisMode => x === "step" || x === "relative" || x === "wall" || (x.startsWith("m:") && x.length > 2);
export const isSmoothing = (value: number | undefined): value is number => value !== undefined && value >= 0 && value < 1;

/** A name within a token: the separators `,` and `|` (and `%`) escaped, as in a URL. */
const escapePart = (text: string) => text.replace(/[%,|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function unescapePart(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * A chart's settings as the value of its `c.<metric>` parameter, tokens joined by `,`: `s:0.6` smoothing, `log` or
 * `log:0`, `pins` or `pins:0`, `x:wall` (or `x:m:epoch`), `y:0.1..2` (either side may be empty), `z:100..500` the
 * zoom window, `h:run a|run b` the hidden lines, `ht:420` the height. Only what is set is written: "" for nothing.
 */
export function formatOverrides(o: ChartOverrides): string {
  const tokens: string[] = [];
  if (o.smoothing !== undefined) tokens.push(`s:${o.smoothing}`);
  if (o.log !== undefined) tokens.push(o.log ? "log" : "log:0");
  if (o.pins !== undefined) tokens.push(o.pins ? "pins" : "pins:0");
  if (o.x !== undefined) tokens.push(`x:${escapePart(o.x)}`);
  if (o.yMin !== undefined || o.yMax !== undefined) tokens.push(`y:${o.yMin ?? ""}..${o.yMax ?? ""}`);
  if (o.zoom) tokens.push(`z:${o.zoom[0]}..${o.zoom[1]}`);
  if (o.hidden?.length) tokens.push(`h:${o.hidden.map(escapePart).join("|")}`);
  if (o.height !== undefined) tokens.push(`ht:${o.height}`);
  return tokens.join(",");
}

/** The inverse of formatOverrides; what it cannot read is left out (a URL may be typed, or old). */
export function parseOverrides(text: string): ChartOverrides {
  const o: ChartOverrides = {};
  for (const token of text.split(",")) {
    const colon = token.indexOf(":");
    const [key, value] = colon < 0 ? [token, undefined] : [token.slice(0, colon), token.slice(colon + 1)];
    const [from, to] = (value ?? "").split("..").map(numberOf);
    if (key === "s" && isSmoothing(numberOf(value))) o.smoothing = numberOf(value);
    else if (key === "log" || key === "pins") o[key] = value !== "0";
    else if (key === "x") {
      const x = unescapePart(value ?? "");
      if (x !== undefined && isXAxisMode(x)) o.x = x;
    } else if (key === "y" && value?.includes("..")) {
      if (from !== undefined) o.yMin = from;
      if (to !== undefined) o.yMax = to;
    } else if (key === "z" && from !== undefined && to !== undefined && from < to) o.zoom = [from, to];
    else if (key === "h" && value) {
      const hidden = value.split("|").map(unescapePart).filter((name): name is string => !!name);
      if (hidden.length) o.hidden = hidden;
    } else if (key === "ht" && (numberOf(value) ?? 0) > 0) o.height = Math.round(numberOf(value)!);
  }
  return o;
}

const PREFIX = "c.";

/** Every chart's overrides from a query's `c.<metric>` parameters. */
export function parsePerChart(query: URLSearchParams): Record<string, ChartOverrides> {
  const perChart: Record<string, ChartOverrides> = {};
  for (const [key, value] of query) {
    const overrides = key.startsWith(PREFIX) && key.length > PREFIX.length ? parseOverrides(value) : {};
    if (Object.keys(overrides).length) perChart[key.slice(PREFIX.length)] = overrides;
  }
  return perChart;
}

/** Adds a `c.<metric>` parameter per chart that has any setting of its own. */
export function setPerChartQuery(query: URLSearchParams, perChart: Record<string, ChartOverrides>): void {
  for (const [metric, overrides] of Object.entries(perChart).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const text = formatOverrides(overrides);
    if (text) query.set(PREFIX + metric, text);
  }
}

/** A chart's overrides with one changed; a setting given as undefined goes back to the page's. */
export function withOverride(o: ChartOverrides, change: ChartOverrides): ChartOverrides {
  const next: ChartOverrides = { ...o, ...change };
  for (const key of Object.keys(next) as (keyof ChartOverrides)[]) if (next[key] === undefined) delete next[key];
  if (next.hidden?.length === 0) delete next.hidden;
  return next;
}

/** The settings a chart is drawn with: the page's, with its own on top; over steps only when the panel has no times. */
export function chartSettingsOf(page: ChartSettings, o: ChartOverrides, stepsOnly = false): ChartSettings {
  return {
    ...page,
    smoothing: o.smoothing ?? page.smoothing,
    log: o.log ?? page.log,
    pins: o.pins ?? page.pins,
    x: stepsOnly ? "step" : (o.x ?? page.x),
  };
}
