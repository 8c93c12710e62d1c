// ECharts' graph series and SVG renderer, for the artifact lineage graph only: imported on demand, so that the
// other views load none of it (about 90 kB). SVG, as a lineage graph is a handful of nodes whose labels stay text.
import { GraphChart } from "echarts/charts";
import { echarts } from "./echarts";
import "./svgRenderer";

echarts.use([GraphChart]);
