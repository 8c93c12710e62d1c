import { ApiError, request } from "../api/graphql";
import { replaceView } from "../app/router";
import { projectUrl, type View } from "../app/viewState";
import { toRunInfo } from "../charts/lineChart";
import { mountMetricPanel } from "../charts/metricPanel";
import { ProjectRunEventsDocument, RunDetailsDocument } from "../gql/graphql";
import { subscribe } from "../live/client";
import { errorState, h, link, loading } from "../ui/dom";
import { runDetails } from "./runDetails";
import { metricNamesOf } from "./columns";
import { statusBadge } from "./status";

type RunViewState = Extract<View, { kind: "run" }>;

/** `/runs/:id`: a run's details, editable notes and tags, and its charts, live. */
export function runView(root: HTMLElement, view: RunViewState): () => void {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [() => controller.abort()];
  root.append(loading());
  const load = () =>
    request(RunDetailsDocument, { id: view.runId }, controller.signal)
      .then(({ run }) => {
        if (!run) throw new ApiError(`No run with id ${view.runId}`, "NOT_FOUND");
        const project = run.model.project.name;
                const status = h("span", {}, statusBadge(run.status));
        const panel = h("section", { className: "panel", "aria-label": "Metrics" });
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(project), project), " / ",
            link(projectUrl(project, run.model.id), run.model.name), " /"),
          h("h1", {}, run.name ?? `Run ${run.id}`),
          runDetails(run, status),
          panel);
        cleanups.push(
          subscribe(ProjectRunEventsDocument, { project }, ({ runEvents }) => {
            if (runEvents.runId === run.id && runEvents.run) status.replaceChildren(statusBadge(runEvents.run.status));
          }),
          mountMetricPanel(panel, [toRunInfo(run, 0)], metricNamesOf([run]), view.chart, (chart) => replaceView({ ...view, chart })));
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));
  load();
  return () => cleanups.forEach((cleanup) => cleanup());
}
