import { request } from "../api/graphql";
import { replaceView } from "../app/router";
import { evalCompareUrl, projectUrl, runUrl, type View } from "../app/viewState";
import { toRunInfo } from "../charts/lineChart";
import { mountMetricPanel } from "../charts/metricPanel";
import { CompareRunsDocument } from "../gql/graphql";
import { errorState, h, link, loading, plural } from "../ui/dom";
import { formatParam, metricNamesOf, paramValue, varyingParamPaths } from "../runs/columns";
import { statusBadge } from "../runs/status";
import { savedViewsMenu } from "../saved/savedViews";

type CompareViewState = Extract<View, { kind: "compare" }>;

/** `/compare/:id1,:id2,…`: the runs side by side (fetched in one request), hyperparameters that differ, and shared charts. */
export function compareView(root: HTMLElement, view: CompareViewState): () => void {
  const controller = new AbortController();
  let disposePanel = () => {};
  root.append(h("h1", {}, `Compare ${plural(view.runIds.length, "run")}`), loading());
  const load = () =>
    request(CompareRunsDocument, { ids: view.runIds, first: view.runIds.length }, controller.signal)
      .then(({ runs: page }) => {
        // in the URL's order, which gives each run its colour
        const byId = new Map(page.edges.map(({ node }) => [node.id, node]));
        const runs = view.runIds.flatMap((id) => byId.get(id) ?? []);
        const missing = view.runIds.filter((id) => !runs.some((run) => run.id === id));
        const infos = runs.map(toRunInfo);
        const differing = runs.length > 1 ? varyingParamPaths(runs) : [];
        const project = runs[0]?.model.project.name;
        const panel = h("section", { className: "panel", "aria-label": "Metrics" });
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), project ? " / " : "", project ? link(projectUrl(project), project) : "", " /"),
          h("div", { className: "title-row" }, h("h1", {}, `Compare ${plural(runs.length, "run")}`),
            project ? savedViewsMenu(project, controller.signal) : ""),
          missing.length ? h("p", { className: "state error", role: "alert" }, `Not found (deleted?): ${missing.join(", ")}`) : "",
          runs.length > 1 && runs.every((run) => run.kind === "EVAL")
            ? h("p", {}, link(evalCompareUrl(runs[0].id, runs.slice(1).map((run) => run.id)), "Compare their results item by item"), ` (baseline: ${infos[0].name})`) : "",
          h("div", { className: "table-scroll compare-runs" }, h("table", { className: "runs" },
            h("thead", {}, h("tr", {}, h("th", {}, "Run"), h("th", {}, "Status"), h("th", {}, "Model"), ...differing.map((p) => h("th", {}, p)))),
            h("tbody", {}, ...runs.map((run, i) => h("tr", {},
              h("td", {}, h("span", { className: "swatch", style: `background:${infos[i].color}` }), link(runUrl(run.id), infos[i].name)),
              h("td", {}, statusBadge(run.status)),
              h("td", {}, run.model.name),
              ...differing.map((path) => h("td", {}, formatParam(paramValue(run.hyperparameters, path))))))))),
          panel);
        if (runs.length) disposePanel = mountMetricPanel(panel, infos, metricNamesOf(runs), view.chart, (chart) => replaceView({ ...view, chart }));
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));
  load();
  return () => {
    controller.abort();
    disposePanel();
  };
}
