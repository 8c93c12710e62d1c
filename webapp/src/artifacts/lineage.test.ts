import { describe, expect, it } from "vitest";
import { describeLineage, LineageBuilder, layoutLineage, shortLabel } from "./lineage";

const version = (id: string, name: string, v: number) => ({ id, version: v, artifact: { name, project: "vision" } });

describe("lineage graph", () => {
  it("should link runs and versions to their views, with the focus marked", () => {
    const graph = new LineageBuilder();
    const data = graph.version(version("7", "cifar", 1), -2);
    const train = graph.run({ id: "1", name: "train" }, -1);
    const model = graph.version(version("9", "resnet", 2), 0, true);
    const evaluate = graph.run({ id: "2", name: null }, 1);
    graph.link(data, train);
    graph.link(train, model);
    graph.link(model, evaluate);
    graph.link(model, evaluate); // the same edge twice is one
    const lineage = graph.build();
    expect(lineage.nodes.map((n) => [n.label, n.href, n.focus])).toEqual([
      ["cifar:v1", "/projects/vision/artifacts/cifar/v/1", false],
      ["train", "/runs/1", false],
      ["resnet:v2", "/projects/vision/artifacts/resnet/v/2", true],
      ["Run 2", "/runs/2", false],
    ]);
    expect(lineage.edges).toHaveLength(3);
    expect(describeLineage(lineage)).toBe("cifar:v1 was used by train. train produced resnet:v2. resnet:v2 was used by Run 2.");
  });

  it("should draw a node met twice once, in the column it was first given", () => {
    const graph = new LineageBuilder();
    graph.run({ id: "1", name: "a" }, 0, true);
    graph.run({ id: "1", name: "a" }, 2);
    expect(graph.build().nodes).toEqual([expect.objectContaining({ id: "run:1", layer: 0, focus: true })]);
  });

  it("should lay out layers as columns from the left, each column centred on the tallest", () => {
    const graph = new LineageBuilder();
    graph.run({ id: "1", name: "producer" }, -1);
    graph.version(version("5", "m", 1), 0, true);
    ["2", "3", "4"].forEach((id) => graph.run({ id, name: id }, 1));
    const { position, columns, rows } = layoutLineage(graph.build().nodes);
    expect({ columns, rows }).toEqual({ columns: 3, rows: 3 });
    expect(position.get("run:1")).toEqual([0, 1]);
    expect(position.get("version:5")).toEqual([1, 1]);
    expect(["run:2", "run:3", "run:4"].map((id) => position.get(id))).toEqual([[2, 0], [2, 1], [2, 2]]);
    expect(layoutLineage([])).toMatchObject({ columns: 0, rows: 0 });
  });

  it("should cut long labels", () => {
    expect(shortLabel("short")).toBe("short");
    expect(shortLabel("x".repeat(40))).toBe(`${"x".repeat(31)}…`);
  });
});
