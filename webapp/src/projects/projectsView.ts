import { request } from "../api/graphql";
import { projectUrl } from "../app/viewState";
import { ProjectsDocument, type ProjectsQuery } from "../gql/graphql";
import { errorState, formatTime, h, link, loading, plural, timeElement } from "../ui/dom";
import { firstRunSnippets } from "./firstRunSnippets";

type Project = ProjectsQuery["projects"][number];

function projectCard(project: Project): HTMLElement {
  return h("li", { className: "card" },
    h("h2", {}, link(projectUrl(project.name), project.name)),
    h("p", { className: "muted" }, `${plural(project.runCount, "run")}${project.runningCount ? ` (${project.runningCount} running)` : ""} · since ${formatTime(project.createdAt)}`),
    project.lastActivityAt && h("p", { className: "muted" }, "Last activity ", timeElement(project.lastActivityAt)),
    h("ul", { className: "models", "aria-label": `Models of ${project.name}` },
      ...project.models.map((model) => h("li", {}, link(projectUrl(project.name, model.id), model.name)))));
}

/** `/`: every project with its models; a first-run guide when there is none. */
export function projectsView(root: HTMLElement): () => void {
  const controller = new AbortController();
  const body = h("div", {}, loading());
  root.append(h("h1", {}, "Projects"), body);
  const load = () => {
    body.replaceChildren(loading());
    request(ProjectsDocument, {}, controller.signal)
      .then(({ projects }) => {
        body.replaceChildren(projects.length ? h("ul", { className: "card-list" }, ...projects.map(projectCard)) : firstRunSnippets(location.origin));
      })
      .catch((error) => controller.signal.aborted || body.replaceChildren(errorState(error, load)));
  };
  load();
  return () => controller.abort();
}
