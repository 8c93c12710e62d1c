import { request } from "../api/graphql";
import { navigate, replaceView } from "../app/router";
import { projectUrl, viewUrl, type View } from "../app/viewState";
import { ProjectModelsDocument } from "../gql/graphql";
import { errorState, h, link } from "../ui/dom";
import { addShortcuts } from "../ui/shortcuts";
import { savedViewsMenu } from "../saved/savedViews";
import { projectTabs } from "../traces/tracesView";
import { projectOverview } from "../projects/overview";
import { mountRunsTable } from "./runsTable";

type ProjectViewState = Extract<View, { kind: "project" }>;

/** `/projects/:name`: the runs table, narrowed to one model by `?model=`. */
export function projectView(root: HTMLElement, view: ProjectViewState): () => void {
  const controller = new AbortController();
  const models = h("nav", { className: "tabs", "aria-label": "Models" });
  root.append(
    h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / "),
    h("div", { className: "title-row" }, h("h1", {}, view.project), link(viewUrl({ kind: "params", project: view.project }), "Hyperparameters ›"),
      savedViewsMenu(view.project, controller.signal)),
    projectTabs(view.project, "Runs"),
    models,
  );
  request(ProjectModelsDocument, { project: view.project }, controller.signal)
    .then(({ project }) => {
      if (!project) {
        models.replaceChildren(errorState(Object.assign(new Error(`No project named ${view.project}`), { code: "NOT_FOUND" })));
        return;
      }
      const tab = (label: string, modelId?: string) => {
        const a = link(projectUrl(view.project, modelId), label);
        if (view.table.modelId === modelId) a.setAttribute("aria-current", "page");
        return a;
      };
      models.replaceChildren(tab("All models"), ...project.models.map((m) => tab(m.name, m.id)));
    })
    .catch((error) => controller.signal.aborted || models.replaceChildren(errorState(error)));
  const tableRoot = h("section", { "aria-label": "Runs" });
  let current = view;
  const update = (change: Partial<ProjectViewState>) => replaceView((current = { ...current, ...change }));
  root.append(projectOverview(view.project, view.best, (best) => update({ best }), controller.signal), tableRoot);
  const disposeTable = mountRunsTable(tableRoot, view.project, view.table, (table) => update({ table }));
  const removeShortcuts = addShortcuts({ keys: "g h", description: "Go to the hyperparameters (parallel coordinates)", scope: "Project",
    action: () => navigate({ kind: "params", project: view.project }) });
  return () => {
    removeShortcuts();
    controller.abort();
    disposeTable();
  };
}
