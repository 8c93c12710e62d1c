// The one place ECharts is set up (graphChart.ts adds the lineage graph's pieces on demand): only the pieces
// registered end up in the bundle.
import * as echarts from "echarts/core";
import { CustomChart, ParallelChart, type CustomSeriesOption, type GraphSeriesOption, type ParallelSeriesOption } from "echarts/charts";
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
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  CustomChart,
  ParallelChart,
  GridComponent,
  DataZoomComponent,
  TooltipComponent,
  ParallelComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type LineChartOption = echarts.ComposeOption<
  CustomSeriesOption | GridComponentOption | DataZoomComponentOption | TooltipComponentOption
>;
export type ParallelChartOption = echarts.ComposeOption<
  ParallelSeriesOption | ParallelComponentOption | TooltipComponentOption | VisualMapComponentOption
>;
/** Histograms over steps (media/histogramPanel.ts): a heatmap or a ridgeline, each drawn as a custom series. */
export type HistogramChartOption = echarts.ComposeOption<CustomSeriesOption | GridComponentOption | TooltipComponentOption>;
/** A graph on a hidden grid (graphChart.ts registers the graph series). */
export type GraphChartOption = echarts.ComposeOption<GraphSeriesOption | GridComponentOption>;
export type { CustomSeriesRenderItemReturn } from "echarts";
export type { CustomSeriesOption };
export { echarts };

/**
 * A chart in the page's current theme, resized with its container (then `resized` runs, for an option that depends
 * on the size). Answers a dispose function.
 */
export function createChart(container: HTMLElement, renderer: "canvas" | "svg" = "canvas", resized?: () => void): { chart: echarts.ECharts; dispose: () => void } {
  const dark = document.documentElement.dataset.theme === "dark";
  const chart = echarts.init(container, dark ? "dark" : undefined, { renderer });
  if (dark) chart.setOption({ backgroundColor: "transparent" });
  // An observer reports a size as soon as it starts observing: redrawing then would only draw twice.
  const observer = new ResizeObserver(() => {
    if (container.clientWidth !== chart.getWidth() || container.clientHeight !== chart.getHeight()) {
      chart.resize();
      resized?.();
    }
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
