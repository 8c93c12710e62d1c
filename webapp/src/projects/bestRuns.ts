import type { RunOrder } from "../gql/graphql";
import { metricColumn, metricOf, orderOf } from "../runs/columns";

/** Names of metrics where more is better (accuracy, F1, a reward); for the others (a loss, an error), less is. */
const HIGHER_IS_BETTER = /(^|[/_.-])(acc|accuracy|f1|auc|bleu|rouge|score|precision|recall|map|iou|reward|return)($|[/_.-])/i;

/** A metric (`m:<name>~<split>`) as the overview ranks it by default: by its max where more is better, else by its min. */
export function bestColumn(metric: string): string {
  const { name, split } = metricOf(metric);
  return metricColumn(name, split, HIGHER_IS_BETTER.test(name) ? "MAX" : "MIN");
}

/** Whether a ranking column (`…@min` or `…@max`) ranks by the max: then the highest first. */
export const byMax = (column: string) => metricOf(column).stat === "MAX";

/** The `runs` order that puts the best runs first: the lowest min, or the highest max. */
export const bestOrder = (column: string): RunOrder[] => [orderOf(column, byMax(column))];

/** The same metric ranked by its other extreme (min ↔ max). */
export function otherExtreme(column: string): string {
  const { name, split, stat } = metricOf(column);
  return metricColumn(name, split, stat === "MAX" ? "MIN" : "MAX");
}
