import { RUN_STATUSES } from "../app/viewState";
import type { MatchingRunsQuery, RunFilter, RunStatus } from "../gql/graphql";

/** The status counts' filters: the table's filter with each status in place of its own statuses. */
export function statusCountFilters(filter: RunFilter): Record<Lowercase<RunStatus>, RunFilter> {
  const { status: _, ...others } = filter;
  return Object.fromEntries(RUN_STATUSES.map((status) => [status.toLowerCase(), { ...others, status: [status] }])) as Record<Lowercase<RunStatus>, RunFilter>;
}

export type MatchingRun = MatchingRunsQuery["runs"]["edges"][number]["node"];

/** Every run matching a filter, fetched a page (`after` a cursor) at a time until the last. */
export async function allMatching(fetchPage: (after: string | undefined) => Promise<MatchingRunsQuery["runs"]>): Promise<MatchingRun[]> {
  const runs: MatchingRun[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(after);
    runs.push(...page.edges.map(({ node }) => node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return runs;
    after = page.pageInfo.endCursor;
  }
}

/** A run's tags with `tag` added (once, at the end). */
export const withTag = (tags: string[], tag: string) => (tags.includes(tag) ? tags : [...tags, tag]);

/** Runs `task` for each item, `parallel` at a time (tagging hundreds of runs sends one updateRun each). */
export async function inBatches<T>(items: T[], parallel: number, task: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += parallel) await Promise.all(items.slice(i, i + parallel).map(task));
}
