import { ApiError, request } from "../api/graphql";
import { navigate, replaceView } from "../app/router";
import { projectUrl, type ChartSettings, type View } from "../app/viewState";
import { toRunInfo } from "../charts/lineChart";
import { mountMetricPanel } from "../charts/metricPanel";
import { ProjectRunEventsDocument, RunDetailsDocument } from "../gql/graphql";
import { subscribe } from "../live/client";
import { mountMediaSection } from "../media/mediaSection";
import { runTabs } from "../traces/tracesView";
import { errorState, h, link, loading, setTitle } from "../ui/dom";
import { addShortcuts } from "../ui/shortcuts";
import { runDetails, runOverview } from "./runDetails";
import { metricNamesOf } from "./columns";
import { consolePanel } from "./consolePanel";
import { isSystemMetric } from "./consoleLines";
import { statusBadge } from "./status";

type RunViewState = Extract<View, { kind: "run" }>;

/**
 * `/runs/:id`: a run's details, editable notes and tags, its charts, live, the system metrics its client sampled
 * (charted over wall time: their steps are Unix seconds), and its console output.
 */
export function runView(root: HTMLElement, view: RunViewState): () => void {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [() => controller.abort()];
  root.append(loading());
  let kept = view.chart;
  /**
   * Keeps a panel's settings in the URL: the metrics panel's toolbar, and each panel's own charts' settings (the
   * system panel's toolbar, over wall time, is its own).
   */
  const keepChart = (chart: ChartSettings, ofSystem: boolean) => {
    const others = Object.entries(kept.perChart).filter(([name]) => isSystemMetric(name) !== ofSystem);
    const ours = Object.entries(chart.perChart).filter(([name]) => isSystemMetric(name) === ofSystem);
    kept = { ...(ofSystem ? kept : chart), perChart: Object.fromEntries([...others, ...ours]) };
    replaceView({ ...view, chart: kept });
  };
  const load = () =>
    request(RunDetailsDocument, { id: view.runId }, controller.signal)
      .then(({ run }) => {
        if (!run) throw new ApiError(`No run with id ${view.runId}`, "NOT_FOUND");
        const project = run.model.project.name;
        setTitle(run.name ?? `Run ${run.id}`, project);
        const status = h("span", {}, statusBadge(run.status, run.failure));
        const panel = h("section", { className: "panel", "aria-label": "Metrics" });
        const media = h("section", { className: "panel", "aria-label": "Media" });
        const names = metricNamesOf([run]);
        const systemNames = names.filter(isSystemMetric);
        const system = systemNames.length ? h("section", { className: "panel", "aria-label": "System" }, h("h2", {}, "System")) : null;
        const consoleSection = h("section", { className: "panel", "aria-label": "Console" }, h("h2", {}, "Console"));
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(project), project), " / ",
            link(projectUrl(project, run.model.id), run.model.name), " /"),
          h("h1", {}, run.name ?? `Run ${run.id}`),
          runTabs(run.id, "Run", run.kind === "EVAL"),
          runOverview(run, status),
          panel,
          media,
          system ?? "",
          runDetails(run),
          consoleSection);
        const output = consolePanel(consoleSection, run.id);
        cleanups.push(
          addShortcuts({ keys: "g r", description: "Go to the runs of this run's project", scope: "Run", action: () => navigate(projectUrl(project)) }),
          subscribe(ProjectRunEventsDocument, { project }, ({ runEvents }) => {
            if (runEvents.runId !== run.id) return;
            if (runEvents.type === "CONSOLE_APPENDED") output.appended();
            else if (runEvents.run) status.replaceChildren(statusBadge(runEvents.run.status));
          }),
          mountMetricPanel(panel, [toRunInfo(run)], names.filter((name) => !isSystemMetric(name)), view.chart,
            (chart) => keepChart(chart, false), { accepts: (name) => !isSystemMetric(name) }).dispose,
          output.dispose,
          mountMediaSection(media, [toRunInfo(run)]));
        if (system) {
          cleanups.push(mountMetricPanel(system, [toRunInfo(run)], systemNames, { ...view.chart, x: "wall" },
            (chart) => keepChart(chart, true), { accepts: isSystemMetric }).dispose);
        }
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));
  load();
  return () => cleanups.forEach((cleanup) => cleanup());
}
