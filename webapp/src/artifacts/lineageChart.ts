import { navigate } from "../app/router";
import { createChart, type GraphChartOption } from "../charts/echarts";
import { errorState, h } from "../ui/dom";
import { describeLineage, layoutLineage, shortLabel, type Lineage } from "./lineage";

const ROW_PX = 64;
const VERSION_COLOR = "#b87a16";

/**
 * A lineage graph, left to right: runs (circles) and the versions they produced or used (squares), the focus
 * larger; a click on a node (or its label) opens its view. Drawn as SVG: a handful of nodes, whose labels stay text.
 * Answers the section, with `empty` said in it when there is nothing to draw, and `mount`, to call once the section
 * is in the page (ECharts measures its container), which answers the chart's dispose function.
 */
export function lineageSection(lineage: Lineage, empty: string): { element: HTMLElement; mount: () => () => void } {
  const section = h("section", { "aria-label": "Lineage" }, h("h2", {}, "Lineage"));
  if (!lineage.edges.length) {
    section.append(h("p", { className: "muted" }, empty));
    return { element: section, mount: () => () => {} };
  }
  const { position, columns, rows } = layoutLineage(lineage.nodes);
  const container = h("div", { className: "chart lineage", role: "img", "aria-label": `Lineage graph. ${describeLineage(lineage)}` });
  container.style.height = `${rows * ROW_PX + 24}px`;
  section.append(h("p", { className: "muted" }, "Runs (circles) and the artifact versions (squares) they produced and used, inputs on the left. Click one to open it."), container);
  const draw = () => {
    const { chart, dispose } = createChart(container, "svg");
    const style = getComputedStyle(container);
    const accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#2f6fdb";
    const index = new Map(lineage.nodes.map((n, i) => [n.id, i]));
    const option: GraphChartOption = {
      animation: false,
      grid: { left: 90, right: 90, top: 12, bottom: 24 },
      // Fixed ranges: a column or row is as wide or tall wherever it is, however few there are.
      xAxis: { type: "value", min: -0.5, max: columns - 0.5, show: false },
      yAxis: { type: "value", min: -0.5, max: rows - 0.5, inverse: true, show: false },
      series: [{
        type: "graph",
        coordinateSystem: "cartesian2d",
        data: lineage.nodes.map((node) => ({
          name: node.id,
          value: position.get(node.id),
          symbol: node.kind === "run" ? "circle" : "roundRect",
          symbolSize: node.focus ? 22 : 15,
          itemStyle: { color: node.kind === "run" ? accent : VERSION_COLOR, borderColor: style.color, borderWidth: node.focus ? 2 : 0 },
          label: { show: true, position: "bottom", formatter: shortLabel(node.label), color: style.color, fontWeight: node.focus ? "bold" : "normal", fontSize: 12 },
          cursor: "pointer",
        })),
        links: lineage.edges.map(([from, to]) => ({ source: index.get(from)!, target: index.get(to)! })),
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 8,
        lineStyle: { color: style.color, opacity: 0.45, width: 1.5 },
        emphasis: { focus: "adjacency" },
      }],
    };
    chart.setOption(option);
    chart.on("click", { dataType: "node" }, (params) => navigate(lineage.nodes[params.dataIndex].href));
    return dispose;
  };
  const mount = () => {
    let dispose: (() => void) | undefined;
    let disposed = false;
    import("../charts/graphChart")
      .then(() => {
        if (!disposed) dispose = draw();
      })
      .catch((error) => disposed || container.replaceChildren(errorState(error)));
    return () => {
      disposed = true;
      dispose?.();
    };
  };
  return { element: section, mount };
}
