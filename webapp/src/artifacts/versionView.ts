import { ApiError, request } from "../api/graphql";
import { replaceView } from "../app/router";
import { artifactsUrl, artifactUrl, runUrl, type View } from "../app/viewState";
import { ArtifactVersionDetailDocument, type ArtifactVersionDetailQuery } from "../gql/graphql";
import { projectTabs } from "../traces/tracesView";
import { errorState, formatTime, h, link, loading } from "../ui/dom";
import { exactBytes, formatBytes, shortDigest } from "./format";
import { LineageBuilder, runLabel, type Lineage } from "./lineage";
import { lineageSection } from "./lineageChart";
import { downloadLink, filePreview } from "./preview";
import { previewKind } from "./previewKind";
import { aliasChips, sizeCell } from "./versionTable";

type VersionViewState = Extract<View, { kind: "artifactVersion" }>;
type Version = NonNullable<ArtifactVersionDetailQuery["artifactVersion"]>;
type File = Version["files"]["edges"][number]["node"];

/** Files listed (the most a page of the API holds); a version with more says so. */
const FILES = 500;

/** Two steps each way: what the producing run used, the run, this version, the runs that used it and what they logged. */
function versionLineage(version: Version): Lineage {
  const graph = new LineageBuilder();
  const id = graph.version(version, 0, true);
  if (version.producedBy) {
    const producer = graph.run(version.producedBy, -1);
    graph.link(producer, id);
    for (const input of version.producedBy.usedArtifacts) graph.link(graph.version(input, -2), producer);
  }
  for (const run of version.usedBy) {
    const consumer = graph.run(run, 1);
    graph.link(id, consumer);
    for (const output of run.loggedArtifacts) graph.link(consumer, graph.version(output, 2));
  }
  return graph.build();
}

const metadataSection = (metadata: unknown) => h("section", { "aria-label": "Metadata" },
  h("h2", {}, "Metadata"),
  metadata && typeof metadata === "object" && Object.keys(metadata).length
    ? h("pre", { className: "artifact-preview json metadata" }, JSON.stringify(metadata, null, 2))
    : h("p", { className: "muted" }, "No metadata."));

/**
 * `/projects/:project/artifacts/:name/v/:version` (a number or an alias): a version's facts, its files with sizes,
 * downloads and previews (`?file=` keeps the one open), its metadata and its lineage.
 */
export function versionView(root: HTMLElement, view: VersionViewState): () => void {
  const controller = new AbortController();
  let preview = new AbortController();
  let disposeGraph = () => {};
  const title = h("h1", {}, `${view.name} ${view.version.alias ?? `v${view.version.version}`}`);
  const body = h("div", { className: "artifact-page" }, loading());
  root.append(
    h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(artifactsUrl(view.project), view.project), " / ",
      link(artifactUrl(view.project, view.name), view.name), " /"),
    title,
    projectTabs(view.project, "Artifacts"),
    body,
  );
  const load = () =>
    request(ArtifactVersionDetailDocument, { project: view.project, name: view.name, ...view.version, files: FILES }, controller.signal)
      .then(({ artifactVersion: version }) => {
        if (!version) throw new ApiError(`Your API token does not cover project ${view.project}`, "FORBIDDEN");
        title.textContent = `${view.name} v${version.version}`;
        const files = version.files.edges.map((e) => e.node);
        const previewSlot = h("div");
        const showPreview = (file: File | undefined, scroll: boolean) => {
          preview.abort();
          preview = new AbortController();
          previewSlot.replaceChildren(file ? filePreview(file, preview.signal) : "");
          if (scroll) previewSlot.scrollIntoView({ block: "nearest" });
          for (const row of filesBody.rows) row.classList.toggle("selected", row.dataset.path === file?.path);
        };
        const filesBody = h("tbody", {}, ...files.map((file) => h("tr", { "data-path": file.path },
          h("td", {}, h("code", {}, file.path)),
          sizeCell(file.size),
          h("td", { title: file.sha256 }, h("code", {}, shortDigest(file.sha256))),
          h("td", {}, downloadLink(file)),
          h("td", {}, previewKind(file.path) ? h("button", {
            type: "button",
            "aria-label": `Preview ${file.path}`,
            onclick: () => {
              replaceView({ ...view, file: file.path });
              showPreview(file, true);
            },
          }, "Preview") : ""),
        )));
        const graph = lineageSection(versionLineage(version), "No run produced or used this version.");
        body.replaceChildren(
          h("dl", { className: "facts artifact-facts" },
            h("dt", {}, "Type"), h("dd", {}, version.artifact.type),
            h("dt", {}, "Aliases"), h("dd", {}, aliasChips(version.aliases)),
            h("dt", {}, "Size"), h("dd", { title: exactBytes(version.size) }, `${formatBytes(version.size)} in ${version.fileCount} file${version.fileCount === 1 ? "" : "s"}`),
            h("dt", {}, "Digest"), h("dd", {}, h("code", {}, version.digest)),
            h("dt", {}, "Produced by"), h("dd", {}, version.producedBy ? link(runUrl(version.producedBy.id), runLabel(version.producedBy)) : "no run"),
            h("dt", {}, "Used by"), h("dd", {}, ...(version.usedBy.length ? version.usedBy.flatMap((r, i) => [i ? ", " : "", link(runUrl(r.id), runLabel(r))]) : ["no run yet"])),
            h("dt", {}, "Logged"), h("dd", {}, formatTime(version.createdAt)),
            h("dt", {}, "Versions"), h("dd", {}, link(artifactUrl(view.project, view.name), `all ${view.name} versions`), ` (latest v${version.artifact.latestVersion})`)),
          h("section", { "aria-label": "Files" },
            h("h2", {}, "Files"),
            h("div", { className: "table-scroll" }, h("table", { className: "runs artifact-files", "aria-label": "Files" },
              h("thead", {}, h("tr", {}, ...["Path", "Size", "SHA-256", "Download", "Preview"].map((c) => h("th", { scope: "col" }, c)))),
              filesBody)),
            version.files.totalCount > files.length ? h("p", { className: "muted" }, `${files.length} of ${version.files.totalCount} files.`) : ""),
          previewSlot,
          metadataSection(version.metadata),
          graph.element,
        );
        // The file the URL names, else the first one with a preview.
        showPreview(files.find((f) => f.path === view.file) ?? files.find((f) => previewKind(f.path)), false);
        disposeGraph = graph.mount();
      })
      .catch((error) => controller.signal.aborted || body.replaceChildren(errorState(error, load)));
  load();
  return () => {
    controller.abort();
    preview.abort();
    disposeGraph();
  };
}
