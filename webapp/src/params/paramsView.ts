import { request } from "../api/graphql";
import { navigate, replaceView } from "../app/router";
import { projectUrl, runUrl, type View } from "../app/viewState";
import { createChart } from "../charts/echarts";
import { ParamRunsDocument } from "../gql/graphql";
import { rankedMetrics } from "../runs/columns";
import { errorState, h, link, loading } from "../ui/dom";
import { parallelOption } from "./parallel";

type ParamsViewState = Extract<View, { kind: "params" }>;

/** The parallel-coordinates chart draws every run as one line; beyond this it is a blur. */
const MAX_RUNS = 500; // the server caps `first` at 500

/** `/projects/:name/params`: which hyperparameters go with a good metric, over the project's runs. */
export function paramsView(root: HTMLElement, view: ParamsViewState): () => void {
  const controller = new AbortController();
  let disposeChart = () => {};
  root.append(h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(view.project), view.project), " /"), h("h1", {}, "Hyperparameters"));
  const body = h("div", {}, loading());
  root.append(body);
  const load = () =>
    Promise.all([request(ParamRunsDocument, { project: view.project, first: MAX_RUNS }, controller.signal), import("../charts/svgRenderer")])
      // SVG: the axes' names and labels stay text
      .then(([{ runs: page }]) => {
        const runs = page.edges.map((e) => e.node);
        const ranked = rankedMetrics(runs);
        const metrics = [...ranked].sort();
        if (!runs.length || !metrics.length) {
          body.replaceChildren(h("p", { className: "state" }, "No runs with metrics in this project yet."));
          return;
        }
        let metric = view.metric && metrics.includes(view.metric) ? view.metric : ranked[0];
        const select = h("select", { "aria-label": "Metric" }, ...metrics.map((m) => h("option", { value: m, selected: m === metric }, m.slice(2).replace("~", " · "))));
        const colour = h("select", { "aria-label": "Line colour" },
          h("option", { value: "metric", selected: !view.byRun }, "on the metric's scale"), h("option", { value: "run", selected: !!view.byRun }, "of each run"));
        const canvas = h("div", { className: "chart parallel", role: "img", "aria-label": "Parallel coordinates of hyperparameters and the metric" });
        body.replaceChildren(
          h("div", { className: "toolbar" }, h("label", {}, "Metric (last value) ", select), h("label", {}, "Colours ", colour),
            h("span", { className: "muted" }, page.totalCount > runs.length ? `the ${runs.length} newest of ${page.totalCount} runs` : `${runs.length} runs`, "; click a line to open its run")),
          canvas);
        const draw = () => chart.setOption(parallelOption(runs, metric, canvas.clientWidth, colour.value === "run"), { notMerge: true });
        // the names and labels are cut to the room between axes, which a resize changes
        const { chart, dispose } = createChart(canvas, "svg", draw);
        disposeChart = dispose;
        draw();
        chart.on("click", (event) => navigate(runUrl(runs[event.dataIndex].id)));
        const change = () => {
          metric = select.value;
          replaceView({ ...view, metric, byRun: colour.value === "run" || undefined });
          draw();
        };
        select.addEventListener("change", change);
        colour.addEventListener("change", change);
      })
      .catch((error) => controller.signal.aborted || body.replaceChildren(errorState(error, load)));
  load();
  return () => {
    controller.abort();
    disposeChart();
  };
}
