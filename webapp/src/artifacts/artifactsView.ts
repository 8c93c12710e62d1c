import { ApiError, request } from "../api/graphql";
import { artifactUrl, artifactVersionUrl, type View } from "../app/viewState";
import { ArtifactListDocument } from "../gql/graphql";
import { projectTabs } from "../traces/tracesView";
import { h, link, loading, timeElement } from "../ui/dom";
import { moreThanShown, searchedList } from "../ui/searchedList";
import { exactBytes, formatBytes } from "./format";

type ArtifactsViewState = Extract<View, { kind: "artifacts" }>;

const PAGE_SIZE = 200;

/** When a view's query answers null: the project is not there, or the caller's token does not cover it. */
export const noProject = (project: string) => new ApiError(`No project ${project}, or your API token does not cover it`, "NOT_FOUND");

/** `/projects/:name/artifacts`: the project's artifacts by name, searched by name prefix, and the storage they take. */
export function artifactsView(root: HTMLElement, view: ArtifactsViewState): () => void {
  const search = h("input", { type: "search", placeholder: "Name starts with…", "aria-label": "Search artifacts by name prefix" });
  const storage = h("span", { className: "muted storage", "aria-label": "Storage used" });
  const body = h("div", {}, loading());
  root.append(
    h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / "),
    h("h1", {}, view.project),
    projectTabs(view.project, "Artifacts"),
    h("div", { className: "toolbar" }, search, storage),
    body,
  );
  return searchedList(search, body, (signal) =>
    request(ArtifactListDocument, { project: view.project, namePrefix: search.value || null, first: PAGE_SIZE }, signal)
      .then(({ artifacts, artifactStorage }) => {
        if (!artifacts) throw noProject(view.project);
        if (artifactStorage) {
          const { bytes, blobs, versions } = artifactStorage;
          storage.title = exactBytes(bytes);
          storage.textContent = `${formatBytes(bytes)} stored: ${blobs} file${blobs === 1 ? "" : "s"} (each stored once) in ${versions} version${versions === 1 ? "" : "s"}`;
        }
        const edges = artifacts.edges;
        if (!edges.length) {
          body.replaceChildren(h("p", { className: "state" }, search.value ? "No artifact starts with that."
            : "No artifacts yet: log one from a run with run.log_artifact(\"model.pt\", type=\"model\") in the Python client."));
          return;
        }
        const rows = edges.map(({ node }) => h("tr", {},
          h("td", {}, link(artifactUrl(view.project, node.name), node.name)),
          h("td", {}, node.type),
          h("td", { className: "num" }, link(artifactVersionUrl(view.project, node.name, node.latestVersion), `v${node.latestVersion}`)),
          h("td", { className: "num" }, node.versionCount),
          h("td", {}, ...node.aliases.map((a) => link(artifactVersionUrl(view.project, node.name, a.version), h("span", { className: "alias" }, `${a.alias} → v${a.version}`)))),
          h("td", { className: "description" }, node.description ?? ""),
          h("td", {}, timeElement(node.createdAt)),
        ));
        body.replaceChildren(
          h("div", { className: "table-scroll" }, h("table", { className: "runs artifacts", "aria-label": "Artifacts" },
            h("thead", {}, h("tr", {}, ...["Name", "Type", "Latest", "Versions", "Aliases", "Description", "Created"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, ...rows))),
          moreThanShown(edges.length, artifacts.totalCount),
        );
      }));
}
