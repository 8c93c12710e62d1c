import type { TableState } from "../app/viewState";
import type { ProjectRunEventsSubscription, ProjectRunsQuery, ProjectRunsQueryVariables, RunRowFragment, RunStatus } from "../gql/graphql";
import { defaultColumns, matchesFilter, runQueryArguments } from "./columns";

export type RunsPage = ProjectRunsQuery["runs"];
/** Asks the server's `runs` query; a fetch that is aborted rejects. */
export type FetchRuns = (variables: ProjectRunsQueryVariables, signal: AbortSignal) => Promise<RunsPage>;
export type RunEvent = ProjectRunEventsSubscription["runEvents"];

/** Live changes to the rows shown, applied together. */
export interface LiveChanges {
  removed: string[];
  changed: RunRowFragment[];
  /** New runs, shown at the top. */
  added: RunRowFragment[];
}

export interface RunsTableListener {
  /** A page is being fetched: the first one (the rows start over) or the next. */
  loading(first: boolean): void;
  /** A page came: its new runs are added at the end, after the rows start over when it is the first. */
  loaded(runs: RunRowFragment[], first: boolean): void;
  failed(error: unknown, retry: () => void): void;
  live(changes: LiveChanges): void;
}

export interface RunsTableState {
  readonly table: TableState;
  /** The hyperparameter and metric columns shown: those picked, or the first run's first ones until some are. */
  readonly params: string[];
  readonly metrics: string[];
  /** The runs loaded, by id. */
  readonly runs: ReadonlyMap<string, RunRowFragment>;
  readonly selected: ReadonlySet<string>;
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  /**
   * Runs met live since the table was loaded that match its filters but that it cannot place (sorted or filtered):
   * a reload shows them. A run counts once however many events it sends.
   */
  readonly newRuns: number;
  /** Sorts by a column: ascending, descending, then unsorted again (newest first, the server's tie-break). */
  sortBy(column: string): void;
  search(text: string): void;
  /** A column's filter expression, such as `< 0.5`. */
  filter(column: string, expression: string): void;
  showStatus(status: RunStatus, shown: boolean): void;
  /** Shows the runs of these statuses only (none: all). */
  setStatuses(statuses: RunStatus[]): void;
  /**
   * Groups the rows (see compare/groups.ts), or not (none): the rows are not fetched again, but while grouped, every
   * page is loaded (up to GROUPED_MAX runs), so that each group has all its runs.
   */
  groupBy(by: string[]): void;
  /** Shows or hides a hyperparameter or metric column; the rows are not fetched again. */
  showColumn(kind: "params" | "metrics", column: string, shown: boolean): void;
  select(runId: string, selected: boolean): void;
  loadMore(): void;
  /** Loads the first page (again). */
  reload(): void;
  /** A `runEvents` event: applied with the others of the same frame. */
  receive(event: RunEvent): void;
  dispose(): void;
}

const PAGE_SIZE = 50;
/** Grouped, the table loads the pages of at most this many runs. */
export const GROUPED_MAX = 1000;
/** Typing in a filter fetches once the typing pauses. */
const TYPING_DELAY_MS = 300;
/** Columns shown before the user picks any: the first run's first hyperparameters and metrics. */
const DEFAULT_PARAMS = 4;
const DEFAULT_METRICS = 3;

/**
 * The runs of a project as its table shows them: filtered and sorted by the server, paged by cursor, updated live
 * from `runEvents`. `onStateChange` gets each change of the table's state (for the URL); `listener` what to show.
 * Nothing is loaded before the first `reload`.
 */
export function runsTableState(project: string, initial: TableState, fetchRuns: FetchRuns, onStateChange: (table: TableState) => void, listener: RunsTableListener): RunsTableState {
  let table = initial;
  const runs = new Map<string, RunRowFragment>();
  const selected = new Set<string>();
  // the columns shown: table.params and table.metrics, or the defaults, which stay out of the URL
  let params = table.params;
  let metrics = table.metrics;
  let endCursor: string | null | undefined;
  let loadController: AbortController | undefined;
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** Live events of this frame, by run: the run as it is now, or null when it was deleted. */
  const pendingEvents = new Map<string, RunRowFragment | null>();
  /** The runs counted in `newRuns`. */
  const newRuns = new Set<string>();
  let eventsFrame: number | undefined;

  const state = {
    get table() { return table; },
    get params() { return params; },
    get metrics() { return metrics; },
    runs,
    selected,
    totalCount: 0,
    hasNextPage: false,
    get newRuns() { return newRuns.size; },
    sortBy(column: string) {
      const active = table.sort?.column === column;
      change({ sort: !active ? { column, desc: false } : !table.sort!.desc ? { column, desc: true } : undefined });
    },
    search: (text: string) => change({ search: text }, TYPING_DELAY_MS),
    filter: (column: string, expression: string) => change({ filters: { ...table.filters, [column]: expression } }, TYPING_DELAY_MS),
    showStatus: (status: RunStatus, shown: boolean) =>
      change({ statuses: shown ? [...table.statuses, status] : table.statuses.filter((s) => s !== status) }),
    setStatuses: (statuses: RunStatus[]) => change({ statuses }),
    groupBy(by: string[]) {
      table = { ...table, groupBy: by };
      onStateChange(table);
      loadRestWhenGrouped();
    },
    showColumn(kind: "params" | "metrics", column: string, shown: boolean) {
      const toggle = (columns: string[]) => (shown ? [...columns, column] : columns.filter((c) => c !== column));
      if (kind === "params") params = toggle(params);
      else metrics = toggle(metrics);
      table = { ...table, params, metrics };
      onStateChange(table);
    },
    select(runId: string, on: boolean) {
      if (on) selected.add(runId);
      else selected.delete(runId);
    },
    loadMore: () => void loadPage(false),
    reload() {
      newRuns.clear();
      void loadPage(true);
    },
    receive(event: RunEvent) {
      if (event.type === "CONSOLE_APPENDED") return; // nothing the table shows
      eventsFrame ??= requestAnimationFrame(applyEvents);
      pendingEvents.set(event.runId, event.type === "DELETED" ? null : (event.run ?? null));
    },
    dispose() {
      loadController?.abort();
      clearTimeout(reloadTimer);
      if (eventsFrame !== undefined) cancelAnimationFrame(eventsFrame);
    },
  };

  /** A change of the table's state: reported, and the first page fetched again after `delay`. */
  function change(update: Partial<TableState>, delay = 0): void {
    table = { ...table, ...update };
    onStateChange(table);
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(state.reload, delay);
  }

  async function loadPage(first: boolean): Promise<void> {
    loadController?.abort();
    const controller = (loadController = new AbortController());
    listener.loading(first);
    try {
      const { filter, orderBy } = runQueryArguments(table);
      const page = await fetchRuns(
        { project, modelId: table.modelId, filter, orderBy, first: PAGE_SIZE, after: first ? undefined : endCursor }, controller.signal);
      loadController = undefined; // done: nothing to abort
      if (first) {
        runs.clear();
        if (!table.params.length && !table.metrics.length && page.edges.length && params.length + metrics.length === 0) {
          ({ params, metrics } = defaultColumns(page.edges.map(({ node }) => node), DEFAULT_PARAMS, DEFAULT_METRICS));
        }
      }
      const added = page.edges.map(({ node }) => node).filter((run) => !runs.has(run.id));
      for (const run of added) runs.set(run.id, run);
      endCursor = page.pageInfo.endCursor;
      state.hasNextPage = page.pageInfo.hasNextPage;
      state.totalCount = page.totalCount;
      listener.loaded(added, first);
      loadRestWhenGrouped();
    } catch (error) {
      if (!controller.signal.aborted) listener.failed(error, () => loadPage(first));
    }
  }

  function loadRestWhenGrouped(): void {
    // not while a page is on its way: it may be the first page of other filters
    if (table.groupBy.length && state.hasNextPage && runs.size < GROUPED_MAX && !loadController) void loadPage(false);
  }

  /** Live events are applied once per frame: a busy project sends many SUMMARY_CHANGED events per second. */
  function applyEvents(): void {
    eventsFrame = undefined;
    const changes: LiveChanges = { removed: [], changed: [], added: [] };
    for (const [id, run] of pendingEvents) {
      if (!run) {
        newRuns.delete(id);
        if (runs.delete(id)) {
          selected.delete(id);
          state.totalCount--;
          changes.removed.push(id);
        }
      } else if (runs.has(id)) {
        runs.set(id, run);
        changes.changed.push(run);
      } else if (run.model.project.name === project && (!table.modelId || run.model.id === table.modelId)) {
        const { filter } = runQueryArguments(table);
        const unfiltered = !table.sort && !filter.nameContains && !filter.status && !filter.tags && !filter.params && !filter.metrics;
        if (unfiltered) {
          changes.added.push(run);
          state.totalCount++;
        } else if (matchesFilter(run, filter)) {
          newRuns.add(id);
        } else {
          newRuns.delete(id); // it no longer matches (its status or a metric changed)
        }
      }
    }
    pendingEvents.clear();
    for (const run of changes.added) runs.set(run.id, run);
    listener.live(changes);
  }

  return state;
}
