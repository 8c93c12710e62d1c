import { request } from "../api/graphql";
import { navigate, replaceView } from "../app/router";
import { evalCompareUrl, projectUrl, runUrl, type View } from "../app/viewState";
import { toRunInfo } from "../charts/lineChart";
import { paletteColor } from "../charts/runColor";
import { mountMetricPanel } from "../charts/metricPanel";
import { CompareRunsDocument, ProjectRunsDocument, SeriesGroupsDocument, type CompareRunsQuery } from "../gql/graphql";
import type { FetchSeries } from "../charts/metricData";
import { mountMediaSection } from "../media/mediaSection";
import { groupControl } from "./groupControl";
import { groupByInput, groupRuns, groupSeries, type Grouping, type RunGroup } from "./groups";
import { errorState, h, link, loading, plural } from "../ui/dom";
import { formatParam, metricNamesOf, paramValue, varyingParamPaths } from "../runs/columns";
import { statusBadge } from "../runs/status";
import { savedViewsMenu } from "../saved/savedViews";
import { searchedList } from "../ui/searchedList";

type CompareViewState = Extract<View, { kind: "compare" }>;
type CompareRun = CompareRunsQuery["runs"]["edges"][number]["node"];

/** Grouped lines are not live (a group's statistics are the server's): they are fetched again this often. */
const GROUP_REFRESH_MS = 10_000;

/**
 * `/compare/:id1,:id2,…`: the runs' shared charts, with the runs listed beside them (fetched in one request): each
 * with its colour, status and the hyperparameters that differ, and a toggle that hides it from every chart, kept in
 * the URL (`hide=`). A hidden run keeps its colour and place. Grouped (`group=`, see Grouping), the charts draw a line
 * and a band per group of the runs shown instead, and the list shows the groups with their runs.
 */
export function compareView(root: HTMLElement, view: CompareViewState): () => void {
  const controller = new AbortController();
  let disposePanel = () => {};
  let disposeSearch = () => {};
  let disposeMedia = () => {};
  let current = view;
  const update = (change: Partial<CompareViewState>) => replaceView((current = { ...current, ...change }));
  root.append(h("h1", {}, `Compare ${plural(view.runIds.length, "run")}`), loading());
  const load = () =>
    request(CompareRunsDocument, { ids: view.runIds, first: view.runIds.length }, controller.signal)
      .then(({ runs: page }) => {
        // in the URL's order
        const byId = new Map(page.edges.map(({ node }) => [node.id, node]));
        const runs = view.runIds.flatMap((id) => byId.get(id) ?? []);
        const missing = view.runIds.filter((id) => !runs.some((run) => run.id === id));
        const infos = runs.map(toRunInfo);
        const differing = runs.length > 1 ? varyingParamPaths(runs) : [];
        const project = runs[0]?.model.project.name;
        const hidden = new Set(view.hidden);
        const panel = h("section", { className: "panel", "aria-label": "Metrics" });
        const media = h("section", { className: "panel", "aria-label": "Media", hidden: true });
        const runList = h("aside", { className: "run-list", "aria-label": "Runs" });
        const runItem = (run: CompareRun, i: number) => {
          const box = h("input", { type: "checkbox", checked: !hidden.has(run.id), "aria-label": `Show ${infos[i].name} in the charts`,
            onchange: () => toggle(run.id, box.checked) });
          const params = differing.map((path) => `${path} ${formatParam(paramValue(run.hyperparameters, path))}`).join(" · ");
          return h("li", { "data-run-id": run.id },
            h("div", { className: "run-list-head" }, box, h("span", { className: "swatch", style: `background:${infos[i].color}` }),
              link(runUrl(run.id), infos[i].name), statusBadge(run.status, run.failure)),
            params ? h("div", { className: "run-list-params" }, params) : "");
        };
        const adder = project ? addRuns(project) : "";
        let setHiddenRuns: (runIds: Iterable<string>) => void = () => {};
        let chartsLoaded = Promise.resolve();
        /** The run list and the charts as the grouping says: a line per run, or per group of the runs shown. */
        const render = () => {
          disposePanel();
          setHiddenRuns = () => {};
          const { grouping } = current;
          const groups = grouping.by.length ? groupRuns(runs.filter((run) => !hidden.has(run.id)), grouping.by) : undefined;
          const items = runs.map(runItem);
          runList.replaceChildren(h("h2", {}, "Runs"), groupControl(differing, grouping, (change) => {
            update({ grouping: { ...current.grouping, ...change } });
            render();
          }), h("ul", {}, ...(groups
            ? [...groups.map((group, i) => h("li", { className: "run-group", "data-group": group.id }, h("details", { open: true },
                h("summary", {}, h("span", { className: "swatch", style: `background:${groupInfo(group, i).color}` }), group.label),
                h("ul", {}, ...group.runs.map((run) => items[runs.indexOf(run)]))))),
              ...runs.flatMap((run, i) => (hidden.has(run.id) ? [items[i]] : []))]
            : items)),
          adder);
          panel.replaceChildren();
          if (!runs.length || groups?.length === 0) return;
          if (groups) {
            const shown = runs.filter((run) => !hidden.has(run.id));
            ({ dispose: disposePanel, loaded: chartsLoaded } = mountMetricPanel(panel, groups.map(groupInfo), metricNamesOf(shown), { ...current.chart, x: "step" },
              (chart) => update({ chart }), { fetchSeries: groupedSeries(shown, groups, grouping, controller.signal), refreshMs: GROUP_REFRESH_MS, stepsOnly: true }));
          } else {
            ({ dispose: disposePanel, setHiddenRuns, loaded: chartsLoaded } = mountMetricPanel(panel, infos, metricNamesOf(runs), current.chart, (chart) => update({ chart })));
            setHiddenRuns(hidden);
          }
        };
        const toggle = (runId: string, shown: boolean) => {
          if (shown) hidden.delete(runId);
          else hidden.add(runId);
          update({ hidden: view.runIds.filter((id) => hidden.has(id)) });
          // a group's lines are its shown runs': they are fetched again
          if (current.grouping.by.length) render();
          else setHiddenRuns(hidden);
        };
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), project ? " / " : "", project ? link(projectUrl(project), project) : "", " /"),
          h("div", { className: "title-row" }, h("h1", {}, `Compare ${plural(runs.length, "run")}`),
            project ? savedViewsMenu(project, controller.signal) : ""),
          missing.length ? h("p", { className: "state error", role: "alert" }, `Not found (deleted?): ${missing.join(", ")}`) : "",
          runs.length > 1 && runs.every((run) => run.kind === "EVAL")
            ? h("p", {}, link(evalCompareUrl(runs[0].id, runs.slice(1).map((run) => run.id)), "Compare their results item by item"), ` (baseline: ${infos[0].name})`) : "",
          h("div", { className: "compare-layout" }, runList, panel),
          media);
        render();
        // after the charts, whose requests come first
        void chartsLoaded.then(() => {
          if (!controller.signal.aborted) disposeMedia = mountMediaSection(media, infos);
        });
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));

  /**
   * The project's runs found by name, to add to the selection (at its end).
   * Searched only once opened (the view's first load fetches nothing for it).
   */
  function addRuns(project: string): HTMLElement {
    const search = h("input", { type: "search", placeholder: "Run name", "aria-label": "Find a run to add" });
    const found = h("ul", { className: "run-list-found" });
    const details = h("details", { className: "run-list-add" }, h("summary", {}, "Add runs"), search, found);
    details.addEventListener("toggle", () => {
      if (!details.open || found.dataset.searched) return;
      found.dataset.searched = "1";
      disposeSearch = searchedList(search, found, async (signal) => {
        const filter = search.value ? { nameContains: search.value } : {};
        const { runs } = await request(ProjectRunsDocument, { project, filter, first: 10 }, signal);
        const others = runs.edges.map(({ node }) => node).filter((run) => !current.runIds.includes(run.id));
        found.replaceChildren(...(others.length ? others.map((run) => h("li", {}, h("button", {
          type: "button", onclick: () => navigate({ ...current, runIds: [...current.runIds, run.id] }),
        }, `Add ${run.name ?? `run ${run.id}`}`))) : [h("li", { className: "muted" }, "No other runs found.")]));
      });
      search.focus();
    });
    return details;
  }

  load();
  return () => {
    controller.abort();
    disposePanel();
    disposeSearch();
    disposeMedia();
  };
}

/** A group as the charts draw it: a "run" named by its label, in a colour of its own (by its place: a group has no id to keep). */
const groupInfo = (group: RunGroup<unknown>, index: number) =>
  ({ ...toRunInfo({ id: group.id, name: group.label, createdAt: new Date(0).toISOString() }), color: paletteColor(index) });

/** Answers the charts' `series` queries with the groups' lines: a `seriesGroups` query per metric name and split. */
function groupedSeries(runs: CompareRun[], groups: RunGroup<CompareRun>[], grouping: Grouping, signal: AbortSignal): FetchSeries {
  const runIds = runs.map((run) => run.id);
  const known = new Set(groups.map((group) => group.id));
  const by = groupByInput(grouping.by);
  return async ({ names, maxPoints, fromStep, toStep }) => {
    const wanted = new Set(names ?? metricNamesOf(runs));
    const series = [...new Map(runs.flatMap((run) => run.summaries).filter((s) => wanted.has(s.name))
      .map((s) => [`${s.name}|${s.split ?? ""}`, s] as const)).values()];
    const answers = await Promise.all(series.map(({ name, split }) =>
      request(SeriesGroupsDocument, { runIds, by, name, split, maxPoints, fromStep, toStep }, signal)
        .then(({ seriesGroups }) => seriesGroups.map((group) => groupSeries(group, name, split ?? null, grouping)))));
    // a group the runs as loaded do not make (one changed its tags since) has no line to draw on
    return answers.flat().filter((line) => known.has(line.runId));
  };
}
