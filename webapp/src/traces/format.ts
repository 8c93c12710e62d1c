import type { SpanType } from "../gql/graphql";

/** Microseconds since the epoch of an ISO time: the API's times carry microseconds, which Date.parse drops. */
export function isoMicros(iso: string): number {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? "";
  return Date.parse(iso) * 1000 + Number(fraction.slice(3, 6).padEnd(3, "0"));
}

/** A span's or trace's duration: µs, ms or s with three digits, minutes beyond. */
export function formatNanos(nanos: number): string {
  if (nanos < 1e6) return `${Number((nanos / 1e3).toPrecision(3))} µs`;
  if (nanos < 1e9) return `${Number((nanos / 1e6).toPrecision(3))} ms`;
  if (nanos < 60e9) return `${Number((nanos / 1e9).toPrecision(3))} s`;
  const seconds = Math.round(nanos / 1e9);
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

/** US dollars: cents as usual, fractions of a cent with two significant digits. */
export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return "–";
  return cost >= 0.01 || cost === 0 ? `$${cost.toFixed(2)}` : `$${Number(cost.toPrecision(2))}`;
}

export const formatTokens = (tokens: number | null | undefined) => (tokens === null || tokens === undefined ? "–" : tokens.toLocaleString("en-US"));

export const SPAN_TYPES: SpanType[] = ["LLM", "TOOL", "AGENT", "RETRIEVER", "EMBEDDING", "CHAIN", "SPAN"];

/** A colour per span type (the badges' in styles.css), readable on light and dark backgrounds; errors are drawn in ERROR_COLOR. */
export const SPAN_TYPE_COLORS: Record<SpanType, string> = {
  LLM: "#5b6ee1", TOOL: "#b87a16", AGENT: "#23877b", RETRIEVER: "#8e6cc9", EMBEDDING: "#3a8fd1", CHAIN: "#6b7585", SPAN: "#a3acb9",
};
export const ERROR_COLOR = "#d32f2f";
