import { formatFor } from "../charts/units";
import { toNumber } from "../charts/seriesBuffer";
import type { RunRowFragment } from "../gql/graphql";
import { formatParam, paramPaths, paramValue } from "./columns";

/** A JSON object (hyperparameters, the environment) as rows of its dotted paths and their values as shown. */
export const configRows = (value: unknown): string[][] => paramPaths(value).map((path) => [path, formatParam(paramValue(value, path))]);

/** A run's series as rows of their name (and split), last, min and max, each in the metric's unit; by name, then split. */
export function summaryRows(summaries: RunRowFragment["summaries"]): string[][] {
  return [...summaries]
    .sort((a, b) => a.name.localeCompare(b.name) || (a.split ?? "").localeCompare(b.split ?? ""))
    .map(({ name, split, last, min, max }) => {
      const format = formatFor(name);
      return [split ? `${name} · ${split}` : name, format(toNumber(last)), format(toNumber(min)), format(toNumber(max))];
    });
}

/** Whether a row matches a search: each of its words, in any case, is in one of the row's cells. */
export function matchesSearch(cells: string[], search: string): boolean {
  const row = cells.join("\n").toLowerCase();
  return search.toLowerCase().split(/\s+/).filter(Boolean).every((word) => row.includes(word));
}
