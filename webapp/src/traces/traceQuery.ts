import type { TraceListState, TraceScope } from "../app/viewState";
import type { TraceFilter, TraceOrder } from "../gql/graphql";

/** The `traces` query's arguments for a list's scope, filters and sort; empty filters are left out. */
export function traceQuery(scope: TraceScope, list: TraceListState): { project?: string; runId?: string; filter: TraceFilter; orderBy: TraceOrder[] } {
  const filter: TraceFilter = {};
  if (list.statuses.length) filter.status = list.statuses;
  if (list.spanTypes.length) filter.spanTypes = list.spanTypes;
  if (list.model.trim()) filter.models = [list.model.trim()];
  if (list.session.trim()) filter.sessionId = list.session.trim();
  if (list.search.trim()) filter.nameContains = list.search.trim();
  const orderBy: TraceOrder[] = list.sort ? [{ field: list.sort.field, direction: list.sort.desc ? "DESC" : "ASC" }] : [];
  return { ...(scope.project !== undefined ? { project: scope.project } : { runId: scope.runId }), filter, orderBy };
}

/** Whether a new trace belongs at the top of the list: newest first and nothing filtered out. */
export const showsNewestFirst = (list: TraceListState) =>
  (!list.sort || (list.sort.field === "START_TIME" && list.sort.desc)) &&
  !list.statuses.length && !list.spanTypes.length && !list.model.trim() && !list.session.trim() && !list.search.trim();
