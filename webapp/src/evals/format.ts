import type { EvalChange, EvalResultCellsFragment } from "../gql/graphql";
import { formatNumber } from "../ui/dom";

/** A JSON value as one line of text: strings as they are, anything else as compact JSON; cut at `max` characters. */
export function preview(value: unknown, max = 200): string {
  if (value === null || value === undefined) return "–";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A score as shown in a cell: the number, ✓ / ✗ for a boolean, the category. */
export function formatScore(score: Pick<EvalResultCellsFragment["scores"][number], "type" | "value" | "boolean" | "category">): string {
  switch (score.type) {
    case "BOOLEAN":
      return score.boolean ? "✓" : "✗";
    case "CATEGORICAL":
      return score.category ?? "–";
    default:
      return formatNumber(score.value);
  }
}

/** The CSS class of a score's pass state: passing or failing by its config; none when the config defines no passing. */
export const passClass = (passed: boolean | null | undefined) => (passed === true ? "pass" : passed === false ? "fail" : "");

/**
 * A contender's delta against the baseline, signed ("+0.12", "−0.5"), and whether it is better, worse or neither
 * by the score's direction.
 */
export function formatDelta(delta: number | null | undefined, higherIsBetter: boolean): { text: string; tone: "better" | "worse" | "same" } {
  if (delta === null || delta === undefined || Number.isNaN(delta)) return { text: "–", tone: "same" };
  if (delta === 0) return { text: "±0", tone: "same" };
  const better = delta > 0 === higherIsBetter;
  return { text: `${delta > 0 ? "+" : "−"}${formatNumber(Math.abs(delta))}`, tone: better ? "better" : "worse" };
}

/** A rate (0 to 1) as a percentage. */
export const formatRate = (rate: number | null | undefined) => (rate === null || rate === undefined ? "–" : `${formatNumber(rate * 100)}%`);

/** The change badges' labels, in the order the filters show them. */
export const CHANGE_LABELS: [EvalChange, string][] = [
  ["REGRESSED", "Regressed"],
  ["IMPROVED", "Improved"],
  ["CHANGED", "Changed"],
  ["UNCHANGED", "Unchanged"],
  ["ERRORED", "Errored"],
];
