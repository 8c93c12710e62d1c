// ECharts' SVG renderer, for the charts whose labels matter more than their number of shapes (the lineage graph,
// parallel coordinates): imported on demand, so that the views of line charts load none of it.
import { SVGRenderer } from "echarts/renderers";
import { echarts } from "./echarts";

echarts.use([SVGRenderer]);
