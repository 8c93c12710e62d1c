import { request } from "../api/graphql";
import { navigate, replaceView } from "../app/router";
import { evalCompareUrl, projectUrl, runUrl, type View } from "../app/viewState";
import { toRunInfo } from "../charts/lineChart";
import { mountMetricPanel } from "../charts/metricPanel";
import { CompareRunsDocument, ProjectRunsDocument } from "../gql/graphql";
import { errorState, h, link, loading, plural } from "../ui/dom";
import { formatParam, metricNamesOf, paramValue, varyingParamPaths } from "../runs/columns";
import { statusBadge } from "../runs/status";
import { savedViewsMenu } from "../saved/savedViews";
import { searchedList } from "../ui/searchedList";

type CompareViewState = Extract<View, { kind: "compare" }>;

/**
 * `/compare/:id1,:id2,…`: the runs' shared charts, with the runs listed beside them (fetched in one request): each
 * with its colour, status and the hyperparameters that differ, and a toggle that hides it from every chart, kept in
 * the URL (`hide=`). A hidden run keeps its colour and place.
 */
export function compareView(root: HTMLElement, view: CompareViewState): () => void {
  const controller = new AbortController();
  let disposePanel = () => {};
  let disposeSearch = () => {};
  let current = view;
  const update = (change: Partial<CompareViewState>) => replaceView((current = { ...current, ...change }));
  root.append(h("h1", {}, `Compare ${plural(view.runIds.length, "run")}`), loading());
  const load = () =>
    request(CompareRunsDocument, { ids: view.runIds, first: view.runIds.length }, controller.signal)
      .then(({ runs: page }) => {
        // in the URL's order, which gives each run its colour
        const byId = new Map(page.edges.map(({ node }) => [node.id, node]));
        const runs = view.runIds.flatMap((id) => byId.get(id) ?? []);
        const missing = view.runIds.filter((id) => !runs.some((run) => run.id === id));
        const infos = view.runIds.flatMap((id, i) => (byId.has(id) ? [toRunInfo(byId.get(id)!, i)] : []));
        const differing = runs.length > 1 ? varyingParamPaths(runs) : [];
        const project = runs[0]?.model.project.name;
        const hidden = new Set(view.hidden);
        const panel = h("section", { className: "panel", "aria-label": "Metrics" });
        const toggle = (runId: string, shown: boolean) => {
          if (shown) hidden.delete(runId);
          else hidden.add(runId);
          update({ hidden: view.runIds.filter((id) => hidden.has(id)) });
          setHiddenRuns(hidden);
        };
        const runList = h("aside", { className: "run-list", "aria-label": "Runs" }, h("h2", {}, "Runs"),
          h("ul", {}, ...runs.map((run, i) => {
            const box = h("input", { type: "checkbox", checked: !hidden.has(run.id), "aria-label": `Show ${infos[i].name} in the charts`,
              onchange: () => toggle(run.id, box.checked) });
            const params = differing.map((path) => `${path} ${formatParam(paramValue(run.hyperparameters, path))}`).join(" · ");
            return h("li", { "data-run-id": run.id },
              h("div", { className: "run-list-head" }, box, h("span", { className: "swatch", style: `background:${infos[i].color}` }),
                link(runUrl(run.id), infos[i].name), statusBadge(run.status, run.failure)),
              params ? h("div", { className: "run-list-params" }, params) : "");
          })),
          project ? addRuns(project) : "");
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), project ? " / " : "", project ? link(projectUrl(project), project) : "", " /"),
          h("div", { className: "title-row" }, h("h1", {}, `Compare ${plural(runs.length, "run")}`),
            project ? savedViewsMenu(project, controller.signal) : ""),
          missing.length ? h("p", { className: "state error", role: "alert" }, `Not found (deleted?): ${missing.join(", ")}`) : "",
          runs.length > 1 && runs.every((run) => run.kind === "EVAL")
            ? h("p", {}, link(evalCompareUrl(runs[0].id, runs.slice(1).map((run) => run.id)), "Compare their results item by item"), ` (baseline: ${infos[0].name})`) : "",
          h("div", { className: "compare-layout" }, runList, panel));
        let setHiddenRuns: (runIds: Iterable<string>) => void = () => {};
        if (runs.length) {
          ({ dispose: disposePanel, setHiddenRuns } = mountMetricPanel(panel, infos, metricNamesOf(runs), view.chart, (chart) => update({ chart })));
          setHiddenRuns(hidden);
        }
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));

  /**
   * The project's runs found by name, to add to the selection: at its end, so that the others keep their colours.
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
  };
}
