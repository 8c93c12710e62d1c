import { ApiError, request } from "../api/graphql";
import { artifactsUrl, artifactVersionUrl, type View } from "../app/viewState";
import { ArtifactDetailDocument } from "../gql/graphql";
import { projectTabs } from "../traces/tracesView";
import { errorState, formatTime, h, link, loading } from "../ui/dom";
import { lineageSection } from "./lineageChart";
import { versionsLineage, versionTable } from "./versionTable";

type ArtifactViewState = Extract<View, { kind: "artifact" }>;

/** Versions listed; an artifact with more says so. */
const VERSIONS = 200;
/** Versions in the lineage graph: the newest, so that the graph stays readable. */
const LINEAGE_VERSIONS = 20;

/** `/projects/:project/artifacts/:name`: an artifact's aliases, its versions newest first and their lineage. */
export function artifactView(root: HTMLElement, view: ArtifactViewState): () => void {
  const controller = new AbortController();
  let disposeGraph = () => {};
  const body = h("div", { className: "artifact-page" }, loading());
  root.append(
    h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(artifactsUrl(view.project), view.project), " / Artifacts /"),
    h("h1", {}, view.name),
    projectTabs(view.project, "Artifacts"),
    body,
  );
  const load = () =>
    request(ArtifactDetailDocument, { project: view.project, name: view.name, first: VERSIONS }, controller.signal)
      .then(({ artifact }) => {
        if (!artifact) throw new ApiError(`No artifact ${view.name} in project ${view.project}, or your API token does not cover it`, "NOT_FOUND");
        const versions = artifact.versions.edges.map((e) => e.node).sort((a, b) => b.version - a.version);
        const graph = lineageSection(versionsLineage(versions.slice(0, LINEAGE_VERSIONS)), "No run produced or used a version yet.");
        body.replaceChildren(
          h("dl", { className: "facts artifact-facts" },
            h("dt", {}, "Type"), h("dd", {}, artifact.type),
            artifact.description ? h("dt", {}, "Description") : "", artifact.description ? h("dd", {}, artifact.description) : "",
            h("dt", {}, "Versions"), h("dd", {}, `${artifact.versionCount}, the latest `, link(artifactVersionUrl(view.project, view.name, artifact.latestVersion), `v${artifact.latestVersion}`)),
            h("dt", {}, "Aliases"), h("dd", { className: "aliases" }, ...artifact.aliases.map((a) =>
              link(artifactVersionUrl(view.project, view.name, a.version), h("span", { className: "alias" }, `${a.alias} → v${a.version}`)))),
            h("dt", {}, "Created"), h("dd", {}, formatTime(artifact.createdAt))),
          h("section", { "aria-label": "Versions" },
            h("h2", {}, "Versions"),
            versionTable(versions, "Versions"),
            artifact.versions.totalCount > versions.length ? h("p", { className: "muted" }, `${versions.length} of ${artifact.versions.totalCount} versions.`) : ""),
          graph.element,
          versions.length > LINEAGE_VERSIONS ? h("p", { className: "muted" }, `The lineage of the newest ${LINEAGE_VERSIONS} versions; a version's own page shows its lineage.`) : "",
        );
        disposeGraph = graph.mount();
      })
      .catch((error) => controller.signal.aborted || body.replaceChildren(errorState(error, load)));
  load();
  return () => {
    controller.abort();
    disposeGraph();
  };
}
