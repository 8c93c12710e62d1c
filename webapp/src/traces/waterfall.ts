import { createChart, echarts, type CustomSeriesRenderItemReturn, type LineChartOption } from "../charts/echarts";
import type { SpanType } from "../gql/graphql";
import { ERROR_COLOR, formatNanos, SPAN_TYPE_COLORS } from "./format";

/** A span as the waterfall draws it: times in milliseconds from the trace's start. */
export interface WaterfallRow {
  spanId: string;
  name: string;
  depth: number;
  spanType: SpanType;
  error: boolean;
  startMs: number;
  endMs: number;
  durationNanos: number;
}

export interface Waterfall {
  /** Draws these rows (the spans the tree shows, in its order), one bar each. */
  show(rows: WaterfallRow[], selected?: string): void;
  /** Outlines a span's bar and scrolls it into the window. */
  select(spanId: string): void;
  dispose(): void;
}

const ROW_PX = 22;
/** Rows in view at once; more scroll with the slider on the right or the mouse wheel. */
const WINDOW_ROWS = 28;
const LABEL_PX = 260;
const MAX_INDENT = 16;
const INDENT_PX = 10;


/**
 * The spans of a trace as bars on a time axis, one row each, indented by depth and coloured by span type (errors
 * red). ECharts zooms the time axis (the slider below; ctrl + wheel or drag inside), scrolls the rows (the wheel;
 * the slider on the right when they do not fit) and shows a tooltip per bar; a click selects the span.
 */
export function mountWaterfall(container: HTMLElement, onSelect: (spanId: string) => void): Waterfall {
  const { chart, dispose } = createChart(container);
  let rows: WaterfallRow[] = [];
  let selected: string | undefined;
  /** The first row in the window, kept as the user scrolls. */
  let windowStart = 0;

  /**
   * Bound to the rows of one option: a resize redraws the option it was given. Each row is its label, indented by
   * depth, left of the plot, and its bar; drawn here rather than as axis labels, which ECharts would measure for
   * every row, also for those out of the window.
   */
  const renderItemOf = (drawn: WaterfallRow[], textColor: string) => (params: { dataIndex: number; coordSys: unknown }, api: { coord: (v: number[]) => number[] }) => {
    const row = drawn[params.dataIndex];
    const [x0, y] = api.coord([row.startMs, params.dataIndex]);
    const [x1] = api.coord([row.endMs, params.dataIndex]);
    const height = ROW_PX * 0.65;
    const grid = params.coordSys as { x: number; y: number; width: number; height: number };
    const bar = echarts.graphic.clipRectByRect({ x: x0, y: y - height / 2, width: Math.max(x1 - x0, 1), height }, grid);
    const isSelected = row.spanId === selected;
    const indent = Math.min(row.depth, MAX_INDENT) * INDENT_PX;
    const children: object[] = [{
      type: "text",
      style: { text: row.name, x: grid.x - LABEL_PX + 8 + indent, y, verticalAlign: "middle", width: LABEL_PX - 24 - indent, overflow: "truncate",
        fill: row.error ? ERROR_COLOR : textColor, font: `${isSelected ? "bold " : ""}12px system-ui, sans-serif` },
    }];
    if (bar) children.push({
      type: "rect", shape: bar,
      style: { fill: row.error ? ERROR_COLOR : SPAN_TYPE_COLORS[row.spanType], stroke: isSelected ? textColor : undefined, lineWidth: isSelected ? 2 : 0 },
    });
    return { type: "group", children } as unknown as CustomSeriesRenderItemReturn;
  };

  const tooltip = ({ dataIndex }: { dataIndex: number }) => {
    const row = rows[dataIndex];
    const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return `<strong>${escape(row.name)}</strong><br>${row.spanType}${row.error ? " · error" : ""}<br>`
      + `${formatNanos(row.durationNanos)}, from +${formatNanos(row.startMs * 1e6)}`;
  };

  const seriesOf = (drawn: WaterfallRow[]) => ({
    type: "custom" as const, id: "spans", data: drawn.map((r, i) => [r.startMs, r.endMs, i]), encode: { x: [0, 1], y: 2 },
    renderItem: renderItemOf(drawn, getComputedStyle(container).color) as never, progressive: 0, clip: false, animation: false,
  });

  /** The window's first row that shows row `index`: the current one when it does already. */
  const windowFor = (index: number) =>
    index < 0 || (index >= windowStart && index < windowStart + WINDOW_ROWS) ? windowStart
      : Math.max(0, Math.min(index - Math.floor(WINDOW_ROWS / 2), rows.length - WINDOW_ROWS));

  function draw(): void {
    const windowed = rows.length > WINDOW_ROWS;
    windowStart = Math.min(windowStart, Math.max(0, rows.length - WINDOW_ROWS));
    windowStart = windowFor(rows.findIndex((r) => r.spanId === selected));
    const end = Math.max(...rows.map((r) => r.endMs), 0);
    // sized before the option is set, so that it is drawn once (a resize redraws the last option, bound to its rows)
    container.style.height = `${Math.min(rows.length, WINDOW_ROWS) * ROW_PX + 80}px`;
    chart.resize();
    const option: LineChartOption = {
      animation: false,
      grid: { left: LABEL_PX, right: windowed ? 40 : 16, top: 8, bottom: 56 },
      xAxis: { type: "value", min: 0, max: end || 1, axisLabel: { formatter: (ms: number) => formatNanos(ms * 1e6) } },
      // row i at i; the labels are drawn with the bars
      yAxis: { type: "value", inverse: true, min: -0.5, max: rows.length - 0.5, show: false },
      dataZoom: [
        { type: "slider", xAxisIndex: 0, filterMode: "none", height: 18, bottom: 8 },
        { type: "inside", xAxisIndex: 0, filterMode: "none", zoomOnMouseWheel: "ctrl", moveOnMouseWheel: false },
        // rows outside the window are filtered out: ECharts renders only those in it
        ...(windowed ? [
          { type: "slider" as const, id: "rows", yAxisIndex: 0, filterMode: "filter" as const, width: 14, right: 8,
            startValue: windowStart - 0.5, endValue: windowStart + WINDOW_ROWS - 0.5, zoomLock: true, showDetail: false },
          { type: "inside" as const, yAxisIndex: 0, filterMode: "filter" as const, zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: false },
        ] : []),
      ],
      tooltip: { trigger: "item", confine: true, formatter: tooltip as never },
      series: [seriesOf(rows)],
    };
    chart.setOption(option, { notMerge: true });
  }

  chart.on("click", (params) => {
    const row = rows[params.dataIndex];
    if (row) onSelect(row.spanId);
  });
  chart.on("datazoom", () => {
    const zoom = (chart.getOption().dataZoom as { id?: string; startValue?: number }[]).find((z) => z.id === "rows");
    windowStart = Math.ceil(zoom?.startValue ?? 0);
  });

  return {
    show(next, spanId) {
      rows = next;
      selected = spanId;
      draw();
    },
    select(spanId) {
      selected = spanId;
      const start = windowFor(rows.findIndex((r) => r.spanId === spanId));
      if (start !== windowStart) chart.dispatchAction({ type: "dataZoom", dataZoomId: "rows", startValue: start - 0.5, endValue: start + WINDOW_ROWS - 0.5 });
      chart.setOption({ series: [seriesOf(rows)] });
    },
    dispose,
  };
}
