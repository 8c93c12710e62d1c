// The one place ECharts is imported: only the pieces registered here end up in the bundle.
import * as echarts from "echarts/core";
import { CustomChart, GraphChart, ParallelChart, type CustomSeriesOption, type GraphSeriesOption, type ParallelSeriesOption } from "echarts/charts";
import {
  DataZoomComponent,
  GridComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
  type DataZoomComponentOption,
  type GridComponentOption,
  type ParallelComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from "echarts/components";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";

echarts.use([
  CustomChart,
  GraphChart,
  ParallelChart,
  GridComponent,
  DataZoomComponent,
  TooltipComponent,
  ParallelComponent,
  VisualMapComponent,
  CanvasRenderer,
  // small graphs (artifact lineage): their labels are text a test can read and a click can hit
  SVGRenderer,
]);

export type LineChartOption = echarts.ComposeOption<
  CustomSeriesOption | GridComponentOption | DataZoomComponentOption | TooltipComponentOption
>;
export type ParallelChartOption = echarts.ComposeOption<
  ParallelSeriesOption | ParallelComponentOption | TooltipComponentOption | VisualMapComponentOption
>;
/** A graph on a hidden grid: nodes sit at fixed (column, row) values however many rows there are. */
export type GraphChartOption = echarts.ComposeOption<GraphSeriesOption | GridComponentOption>;
export type { CustomSeriesRenderItemReturn } from "echarts";
export type { CustomSeriesOption };
export { echarts };

/** A chart in the page's current theme, resized with its container. Answers a dispose function. */
export function createChart(container: HTMLElement, renderer: "canvas" | "svg" = "canvas"): { chart: echarts.ECharts; dispose: () => void } {
  const dark = document.documentElement.dataset.theme === "dark";
  const chart = echarts.init(container, dark ? "dark" : undefined, { renderer });
  if (dark) chart.setOption({ backgroundColor: "transparent" });
  // An observer reports a size as soon as it starts observing: redrawing then would only draw twice.
  const observer = new ResizeObserver(() => {
    if (container.clientWidth !== chart.getWidth() || container.clientHeight !== chart.getHeight()) chart.resize();
  });
  observer.observe(container);
  return {
    chart,
    dispose: () => {
      observer.disconnect();
      chart.dispose();
    },
  };
}
