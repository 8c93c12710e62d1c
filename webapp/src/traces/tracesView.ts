import { ApiError, request } from "../api/graphql";
import { replaceView } from "../app/router";
import { artifactsUrl, evalResultsUrl, projectUrl, promptsUrl, runArtifactsUrl, runUrl, tracesUrl, type View } from "../app/viewState";
import { RunTitleDocument } from "../gql/graphql";
import { errorState, h, link, viewTabs } from "../ui/dom";
import { mountTraceList } from "./traceList";

type TracesViewState = Extract<View, { kind: "traces" }>;

/** The tabs of a project: its runs, its traces, its prompts and its artifacts. */
export const projectTabs = (project: string, current: "Runs" | "Traces" | "Prompts" | "Artifacts") =>
  viewTabs("Project views", current, [["Runs", projectUrl(project)], ["Traces", tracesUrl({ project })], ["Prompts", promptsUrl(project)],
    ["Artifacts", artifactsUrl(project)]]);

/** The tabs of a run: its charts and details, its traces, its artifacts, and an eval run's results. */
export const runTabs = (runId: string, current: "Run" | "Traces" | "Artifacts" | "Results", isEval: boolean) =>
  viewTabs("Run views", current, [["Run", runUrl(runId)], ["Traces", tracesUrl({ runId })], ["Artifacts", runArtifactsUrl(runId)],
    ...(isEval ? [["Results", evalResultsUrl(runId)] as [string, string]] : [])]);

/** `/projects/:name/traces` and `/runs/:id/traces`: the traces of a project or of a run. */
export function tracesView(root: HTMLElement, view: TracesViewState): () => void {
  const controller = new AbortController();
  const title = h("h1", {}, view.project ?? `Run ${view.runId}`);
  const breadcrumbs = h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ");
  const tabs = view.project !== undefined ? projectTabs(view.project, "Traces") : runTabs(view.runId, "Traces", false);
  root.append(breadcrumbs, title, tabs);
  if (view.runId !== undefined) {
    request(RunTitleDocument, { id: view.runId }, controller.signal)
      .then(({ run }) => {
        if (!run) throw new ApiError(`No run with id ${view.runId}`, "NOT_FOUND");
        const project = run.model.project.name;
        title.textContent = run.name ?? `Run ${run.id}`;
        if (run.kind === "EVAL") tabs.replaceWith(runTabs(run.id, "Traces", true));
        breadcrumbs.append(link(projectUrl(project), project), " / ", link(projectUrl(project, run.model.id), run.model.name), " / ");
      })
      .catch((error) => controller.signal.aborted || title.after(errorState(error)));
  }
  const section = h("section", { "aria-label": "Traces" });
  root.append(section);
  const scope = view.project !== undefined ? { project: view.project } : { runId: view.runId };
  const disposeList = mountTraceList(section, scope, view.list, (list) => replaceView({ ...view, list }));
  return () => {
    controller.abort();
    disposeList();
  };
}
