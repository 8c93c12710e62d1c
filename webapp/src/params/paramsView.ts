import { request } from "../api/graphql";
import { navigate, replaceView } from "../app/router";
import { projectUrl, runUrl, type View } from "../app/viewState";
import { createChart, type ParallelChartOption } from "../charts/echarts";
import { toNumber } from "../charts/seriesBuffer";
import { ParamRunsDocument, type ParamRunsQuery } from "../gql/graphql";
import { metricColumn, metricValue, paramPaths, paramValue } from "../runs/columns";
import { errorState, h, link, loading } from "../ui/dom";

type ParamsViewState = Extract<View, { kind: "params" }>;
type Run = ParamRunsQuery["runs"]["edges"][number]["node"];

/** The parallel-coordinates chart draws every run as one line; beyond this it is a blur. */
const MAX_RUNS = 500; // the server caps `first` at 500

/** Hyperparameters as axes (numbers on a value axis, anything else as categories) and the metric last. */
function parallelOption(runs: Run[], metric: string): ParallelChartOption {
  const paths = [...new Set(runs.flatMap((run) => paramPaths(run.hyperparameters)))];
  const axes = paths.map((path, dim) => {
    const values = runs.map((run) => paramValue(run.hyperparameters, path)).filter((v) => v !== undefined);
    return values.every((v) => typeof v === "number")
      ? { dim, name: path, type: "value" as const, scale: true }
      : { dim, name: path, type: "category" as const, data: [...new Set(values.map(String))] };
  });
  const metricDim = paths.length;
  const data = runs.map((run) => [
    ...paths.map((path, i) => {
      const value = paramValue(run.hyperparameters, path);
      return axes[i].type === "value" ? (value as number) ?? null : value === undefined ? null : String(value);
    }),
    toNumber(metricValue(run, metric) ?? null),
  ]);
  const values = data.map((row) => row[metricDim] as number).filter(Number.isFinite);
  return {
    animation: false,
    parallel: { left: 48, right: 96, top: 48, bottom: 32, parallelAxisDefault: { nameLocation: "start", nameGap: 16 } },
    parallelAxis: [...axes, { dim: metricDim, name: metric.slice(2).replace("~", " · "), type: "value", scale: true }],
    visualMap: values.length
      ? { type: "continuous", dimension: metricDim, min: Math.min(...values), max: Math.max(...values), right: 8, top: "middle", calculable: true, precision: 4, inRange: { color: ["#2c7bb6", "#7b3294", "#d7191c"] } }
      : undefined,
    tooltip: { trigger: "item", formatter: (p: unknown) => (p as { name: string }).name },
    series: [{ type: "parallel", lineStyle: { width: 1.5, opacity: 0.6 }, emphasis: { lineStyle: { width: 3, opacity: 1 } }, data: data.map((value, i) => ({ name: runs[i].name ?? `run ${runs[i].id}`, value })) }],
  } as ParallelChartOption;
}

/** `/projects/:name/params`: which hyperparameters go with a good metric, over the project's runs. */
export function paramsView(root: HTMLElement, view: ParamsViewState): () => void {
  const controller = new AbortController();
  let disposeChart = () => {};
  root.append(h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(view.project), view.project), " /"), h("h1", {}, "Hyperparameters"));
  const body = h("div", {}, loading());
  root.append(body);
  const load = () =>
    request(ParamRunsDocument, { project: view.project, first: MAX_RUNS }, controller.signal)
      .then(({ runs: page }) => {
        const runs = page.edges.map((e) => e.node);
        const metrics = [...new Set(runs.flatMap((run) => run.summaries.map((s) => metricColumn(s.name, s.split))))].sort();
        if (!runs.length || !metrics.length) {
          body.replaceChildren(h("p", { className: "state" }, "No runs with metrics in this project yet."));
          return;
        }
        let metric = view.metric && metrics.includes(view.metric) ? view.metric : metrics[0];
        const select = h("select", { "aria-label": "Metric" }, ...metrics.map((m) => h("option", { value: m, selected: m === metric }, m.slice(2).replace("~", " · "))));
        const canvas = h("div", { className: "chart parallel", role: "img", "aria-label": "Parallel coordinates of hyperparameters and the metric" });
        body.replaceChildren(
          h("div", { className: "toolbar" }, h("label", {}, "Metric (last value) ", select),
            h("span", { className: "muted" }, page.totalCount > runs.length ? `the ${runs.length} newest of ${page.totalCount} runs` : `${runs.length} runs`, "; click a line to open its run")),
          canvas);
        const { chart, dispose } = createChart(canvas);
        disposeChart = dispose;
        chart.setOption(parallelOption(runs, metric));
        chart.on("click", (event) => navigate(runUrl(runs[event.dataIndex].id)));
        select.addEventListener("change", () => {
          metric = select.value;
          replaceView({ ...view, metric });
          chart.setOption(parallelOption(runs, metric), { notMerge: true });
        });
      })
      .catch((error) => controller.signal.aborted || body.replaceChildren(errorState(error, load)));
  load();
  return () => {
    controller.abort();
    disposeChart();
  };
}
