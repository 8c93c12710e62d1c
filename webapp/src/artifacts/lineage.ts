import { artifactVersionUrl, runUrl } from "../app/viewState";

/** A node of a lineage graph: a run or an artifact version, drawn in a column (its layer) and linked to its view. */
export interface LineageNode {
  id: string;
  kind: "run" | "version";
  label: string;
  href: string;
  /** Columns left to right: what was used, the run, what it produced, the runs that used that… */
  layer: number;
  /** The thing the view is about, drawn stronger. */
  focus: boolean;
}

export interface Lineage {
  nodes: LineageNode[];
  /** [from, to] node ids: a run → the version it produced, a version → a run that used it. */
  edges: [string, string][];
}

type RunRef = { id: string; name?: string | null };
type VersionRef = { id: string; version: number; artifact: { name: string; project: string } };

export const runLabel = (run: RunRef) => run.name || `Run ${run.id}`;
export const versionLabel = (version: VersionRef) => `${version.artifact.name}:v${version.version}`;

/**
 * Collects the runs and versions of a lineage graph. A node met twice keeps the layer it was first given, so a run
 * that both used and produced versions of the focus is drawn once.
 */
export class LineageBuilder {
  private readonly nodes = new Map<string, LineageNode>();
  private readonly edges = new Map<string, [string, string]>();

  run(run: RunRef, layer: number, focus = false): string {
    return this.add({ id: `run:${run.id}`, kind: "run", label: runLabel(run), href: runUrl(run.id), layer, focus });
  }

  version(version: VersionRef, layer: number, focus = false): string {
    const href = artifactVersionUrl(version.artifact.project, version.artifact.name, version.version);
    return this.add({ id: `version:${version.id}`, kind: "version", label: versionLabel(version), href, layer, focus });
  }

  link(from: string, to: string): void {
    this.edges.set(`${from} ${to}`, [from, to]);
  }

  build(): Lineage {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()] };
  }

  private add(node: LineageNode): string {
    const known = this.nodes.get(node.id);
    if (!known) this.nodes.set(node.id, node);
    else known.focus ||= node.focus;
    return node.id;
  }
}

/** Where each node is drawn: its column (layer from the leftmost) and row, rows centred in their column. */
export interface LineageLayout {
  position: Map<string, [column: number, row: number]>;
  columns: number;
  rows: number;
}

export function layoutLineage(nodes: LineageNode[]): LineageLayout {
  const layers = [...new Set(nodes.map((n) => n.layer))].sort((a, b) => a - b);
  const byLayer = layers.map((layer) => nodes.filter((n) => n.layer === layer));
  const rows = Math.max(0, ...byLayer.map((column) => column.length));
  const position = new Map<string, [number, number]>();
  byLayer.forEach((column, x) => column.forEach((node, i) => position.set(node.id, [x, i + (rows - column.length) / 2])));
  return { position, columns: layers.length, rows };
}

/** Labels longer than this are cut (the whole name is in the graph's description and the tables). */
const MAX_LABEL = 32;
export const shortLabel = (label: string) => (label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label);

/** The graph in words, for screen readers: "run A produced m:v2. m:v2 was used by run B." */
export function describeLineage({ nodes, edges }: Lineage): string {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return edges.map(([from, to]) => {
    const a = byId.get(from)!;
    const b = byId.get(to)!;
    return a.kind === "run" ? `${a.label} produced ${b.label}.` : `${a.label} was used by ${b.label}.`;
  }).join(" ");
}
