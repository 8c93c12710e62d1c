import { artifactUrl, artifactVersionUrl, runUrl } from "../app/viewState";
import type { ArtifactVersionRowFragment, LineageRunFragment } from "../gql/graphql";
import { h, link, timeElement } from "../ui/dom";
import { exactBytes, formatBytes } from "./format";
import { LineageBuilder, runLabel, type Lineage } from "./lineage";

/** Aliases as chips, `latest` included. */
export const aliasChips = (aliases: string[]) => h("span", { className: "aliases" }, ...aliases.map((a) => h("span", { className: "alias" }, a)));

/** A size with its exact count as the tooltip. */
export const sizeCell = (bytes: number) => h("td", { className: "num", title: exactBytes(bytes) }, formatBytes(bytes));

const runLinks = (runs: LineageRunFragment[]) => (runs.length ? runs.flatMap((r, i) => [i ? ", " : "", link(runUrl(r.id), runLabel(r))]) : ["–"]);

/**
 * Versions as a table: each linked to its view, with its aliases, files, size and the runs that produced and used
 * it; `withArtifact` adds the artifact's name and type (a run's versions are of several artifacts).
 */
export function versionTable(versions: ArtifactVersionRowFragment[], label: string, withArtifact = false): HTMLElement {
  const columns = [...(withArtifact ? ["Artifact", "Type"] : []), "Version", "Aliases", "Files", "Size", "Produced by", "Used by", "Logged"];
  const rows = versions.map((v) => h("tr", {},
    ...(withArtifact ? [h("td", {}, link(artifactUrl(v.artifact.project, v.artifact.name), v.artifact.name)), h("td", {}, v.artifact.type)] : []),
    h("td", {}, link(artifactVersionUrl(v.artifact.project, v.artifact.name, v.version), `v${v.version}`)),
    h("td", {}, aliasChips(v.aliases)),
    h("td", { className: "num" }, v.fileCount),
    sizeCell(v.size),
    h("td", {}, ...runLinks(v.producedBy ? [v.producedBy] : [])),
    h("td", {}, ...runLinks(v.usedBy)),
    h("td", {}, timeElement(v.createdAt)),
  ));
  return h("div", { className: "table-scroll" }, h("table", { className: "runs artifact-versions", "aria-label": label },
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows)));
}

/** Versions in the middle column, the runs that produced them on the left and the runs that used them on the right. */
export function versionsLineage(versions: ArtifactVersionRowFragment[]): Lineage {
  const graph = new LineageBuilder();
  for (const v of versions) {
    const id = graph.version(v, 0);
    if (v.producedBy) graph.link(graph.run(v.producedBy, -1), id);
    for (const run of v.usedBy) graph.link(id, graph.run(run, 1));
  }
  return graph.build();
}
