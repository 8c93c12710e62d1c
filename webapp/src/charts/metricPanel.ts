import { request } from "../api/graphql";
import type { ChartSettings, XAxisMode } from "../app/viewState";
import { MetricPointsDocument, SeriesDocument } from "../gql/graphql";
import { onReconnect, subscribe } from "../live/client";
import { errorState, h, loading } from "../ui/dom";
import { addShortcuts } from "../ui/shortcuts";
import { chartCard, type CardContext, type ChartCard } from "./chartCard";
import { withOverride } from "./chartOverrides";
import { drawScheduler } from "./drawScheduler";
import type { RunInfo } from "./lineChart";
import { metricData, type FetchSeries, type MetricBatch } from "./metricData";
import { chartFilter, sectionOf, sectionOrder, xMetricOf, xValuesOf } from "./panels";

/**
 * The charts of some runs: a toolbar of chart settings over a card per metric. Their points (`metricData`) are
 * fetched with `series` at about one point per pixel, kept live from `metricPoints`, re-queried in detail on zoom;
 * live changes are drawn in rounds (`drawScheduler`). `metricNames` (from the runs' summaries) are the charts
 * known up front; others appear when their first points arrive, if `accepts` takes their name (a run view shows its
 * system metrics in a panel of their own). Answers a function that tears it all down, and one that hides runs from
 * every chart (the compare view's run list). `fetchSeries` replaces the `series` query (the compare view's groups);
 * then no live points are subscribed to, and the whole series are fetched again every `refreshMs` instead; lines
 * without times (`stepsOnly`) are drawn over steps only.
 */
export function mountMetricPanel(
  root: HTMLElement,
  runs: RunInfo[],
  metricNames: string[],
  initialSettings: ChartSettings,
  onSettingsChange: (settings: ChartSettings) => void,
  { accepts = () => true, fetchSeries, refreshMs, stepsOnly }:
    { accepts?: (metric: string) => boolean; fetchSeries?: FetchSeries; refreshMs?: number; stepsOnly?: boolean } = {},
): { dispose: () => void; setHiddenRuns: (runIds: Iterable<string>) => void; loaded: Promise<void> } {
  let settings = initialSettings;
  let filterInput: HTMLInputElement | undefined;
  const splitOrder: (string | null)[] = [];
  const context: CardContext = {
    runById: new Map(runs.map((r) => [r.id, r])),
    settings: () => settings,
    splitIndex: (split) => {
      if (!splitOrder.includes(split)) splitOrder.push(split);
      return splitOrder.indexOf(split);
    },
    statsOpen: runs.length <= 4,
    hiddenRuns: new Set(),
    xValues: (xMetric, runId, split) => xValuesOf(data.lines(xMetric).buffers.values(), runId, split),
    overrides: (metric) => settings.perChart[metric] ?? {},
    setOverrides: (metric, overrides) => {
      const { [metric]: _old, ...others } = settings.perChart;
      settings = { ...settings, perChart: Object.keys(overrides).length ? { ...others, [metric]: overrides } : others };
      onSettingsChange(settings);
    },
    xMetrics: () => [...cards.keys()].sort(),
    stepsOnly: !!stepsOnly,
  };
  const cards = new Map<string, ChartCard>();
  /** The charts' sections by prefix (see sectionOf), each a collapsible grid, headed when there are several. */
  const sections = new Map<string, { element: HTMLDetailsElement; grid: HTMLElement }>();
  const body = h("div", { className: "chart-sections" });
  let removeShortcuts = () => {};
  root.append(toolbar(), body);
  const scheduler = drawScheduler(() => cards.values());
  // Live draws of charts scrolled out of view would only cost time (a run view may have dozens of metrics): they
  // catch up when they come back into view.
  const cardOfElement = new Map<Element, ChartCard>();
  const viewport = new IntersectionObserver((entries) => {
    for (const { target, isIntersecting } of entries) cardOfElement.get(target)!.inView = isIntersecting;
    if ([...cards.values()].some((card) => card.due())) scheduler.schedule();
  });
  let maxPoints: number | undefined;
  const data = metricData(runs, metricNames, pointsPerLine, fetchSeries ?? ((variables) =>
    request(SeriesDocument, variables).then(({ series }) => series.filter((s) => accepts(s.name)))), {
    loaded: (metric) => {
      cardFor(metric);
      // charts drawn against the x axis's metric: again once its points are in
      for (const [name, card] of cards) if (name === metric || xMetricOf(card.settings().x) === metric) card.redraw();
    },
    changed: scheduler.schedule,
    failed: showError,
  });
  let disposed = false;

  /** About one point per pixel of a chart; measured when first asked (as the first load starts). */
  function pointsPerLine(): number {
    if (maxPoints === undefined) {
      // wide screens show two charts per row (see .chart-grid)
      const twoColumns = matchMedia("(min-width: 1150px)").matches;
      maxPoints = Math.min(2000, Math.max(200, Math.round(body.clientWidth / (twoColumns ? 2 : 1))));
    }
    return maxPoints;
  }

  function toolbar(): HTMLElement {
    const update = (change: Partial<ChartSettings>) => {
      settings = { ...settings, ...change };
      // another x axis: the zoom windows of the charts on the page's are of the old one
      if (change.x !== undefined) settings.perChart = Object.fromEntries(Object.entries(settings.perChart)
        .map(([metric, o]) => [metric, o.x ? o : withOverride(o, { zoom: undefined })] as const).filter(([, o]) => Object.keys(o).length));
      onSettingsChange(settings);
      for (const card of cards.values()) card.redraw();
    };
    const modes: [XAxisMode, string][] = [["step", "Step"], ["relative", "Relative time"], ["wall", "Wall time"]];
    // any other metric of the runs, such as epoch (one named by the URL, even before its points arrive)
    const xMetrics = [...new Set([...metricNames, ...(xMetricOf(settings.x) ? [xMetricOf(settings.x)!] : [])])].sort();
    const select = h("select", { onchange: () => update({ x: select.value as XAxisMode }) },
      ...modes.map(([value, label]) => h("option", { value, selected: value === settings.x }, label)),
      xMetrics.length ? h("optgroup", { label: "Metric" }, ...xMetrics.map((name) => h("option", { value: `m:${name}`, selected: `m:${name}` === settings.x }, name))) : "");
    const search = h("input", { type: "search", value: settings.charts, placeholder: "text or /regex/", "aria-label": "Filter charts",
      oninput: () => {
        settings = { ...settings, charts: search.value };
        onSettingsChange(settings);
        applyFilter();
      } });
    filterInput = search;
    const output = h("output", {}, settings.smoothing.toFixed(2));
    const slider = h("input", {
      type: "range", min: 0, max: 0.99, step: 0.01, value: settings.smoothing,
      // redrawing many charts on every pixel of a drag would stutter: the label follows, the charts on release
      oninput: () => (output.textContent = Number(slider.value).toFixed(2)),
      onchange: () => update({ smoothing: Number(slider.value) }),
    });
    const log = h("input", { type: "checkbox", checked: settings.log, onchange: () => update({ log: log.checked }) });
    const pins = h("input", { type: "checkbox", checked: settings.pins, onchange: () => update({ pins: pins.checked }) });
    removeShortcuts = addShortcuts(
      { keys: "l", description: "Log scale on or off", scope: "Charts", action: () => log.click() },
      { keys: "m", description: "Min/max pins on or off", scope: "Charts", action: () => pins.click() },
      // the first panel's slider (a run page's system panel has one too)
      { keys: "s", description: "Smoothing (then the arrow keys)", scope: "Charts", action: () => document.activeElement?.matches("input[type=range]") || slider.focus() });
    return h("div", { className: "toolbar", role: "group", "aria-label": "Chart settings" },
      h("label", {}, "Charts ", search),
      stepsOnly ? "" : h("label", {}, "X axis ", select),
      h("label", {}, "Smoothing ", slider, " ", output),
      h("label", {}, log, " Log scale"),
      h("label", {}, pins, " Min/max pins"));
  }

  function cardFor(metric: string): ChartCard {
    let card = cards.get(metric);
    if (card) return card;
    card = chartCard(sectionFor(metric), metric, data.lines(metric), context, (window, x) => data.zoom(metric, window, x));
    cards.set(metric, card);
    cardOfElement.set(card.element, card);
    viewport.observe(card.element);
    applyFilter();
    return card;
  }

  /** The grid of a metric's section, made (in order) when its first chart comes. */
  function sectionFor(metric: string): HTMLElement {
    const prefix = sectionOf(metric);
    let section = sections.get(prefix);
    if (!section) {
      section = { element: h("details", { className: "chart-section", open: true, "data-section": prefix }), grid: h("div", { className: "chart-grid" }) };
      section.element.append(h("summary", {}, h("h2", {}, prefix || "Charts")), section.grid);
      sections.set(prefix, section);
      body.querySelector(":scope > .state")?.remove();
      const next = [...sections.keys()].sort(sectionOrder).find((other) => sectionOrder(other, prefix) > 0);
      body.insertBefore(section.element, next !== undefined ? sections.get(next)!.element : null);
      body.classList.toggle("sectioned", sections.size > 1);
    }
    return section.grid;
  }

  /** Shows the charts whose names the filter matches, and the sections that have any. */
  function applyFilter(): void {
    const { matches, error } = chartFilter(settings.charts);
    filterInput?.setCustomValidity(error ?? "");
    filterInput?.toggleAttribute("aria-invalid", !!error);
    if (filterInput) filterInput.title = error ?? "";
    for (const [metric, card] of cards) card.element.hidden = !matches(metric);
    for (const { element, grid } of sections.values()) element.hidden = !grid.querySelector(":scope > .chart-card:not([hidden])");
  }

  /** Loads every run's series; at start, after the socket reconnected, and on "Try again". */
  async function loadAll(): Promise<void> {
    await data.load();
    if (!cards.size) body.replaceChildren(h("p", { className: "state" }, "No metrics logged yet. Charts appear as soon as points arrive."));
    // back in place after an error took their place
    else if (![...sections.values()][0].element.isConnected) body.replaceChildren(...[...sections.keys()].sort(sectionOrder).map((prefix) => sections.get(prefix)!.element));
  }

  function showError(error: unknown): void {
    if (!disposed) body.replaceChildren(errorState(error, () => loadAll().catch(showError)));
  }

  // Subscribe before loading so nothing logged in between is missed; batches wait until the load is done.
  let pending: MetricBatch[] | null = [];
  const unsubscribe = fetchSeries ? () => {} : subscribe(MetricPointsDocument, { runIds: runs.map((r) => r.id) }, ({ metricPoints }) => {
    const batch = { ...metricPoints, series: metricPoints.series.filter((s) => accepts(s.name)) };
    if (pending) pending.push(batch);
    else data.append(batch);
  });
  const stopReconnect = onReconnect(() => loadAll().catch(showError));
  const loaded = loadAll()
    .then(() => {
      performance.mark("trackstack:charts-drawn"); // read by the performance test
      pending?.forEach(data.append);
      pending = null;
    })
    .catch(showError);
  // The known charts are laid out while their data is on its way (its requests are sent first), so that drawing
  // them never moves the page.
  if (metricNames.length) metricNames.forEach(cardFor);
  else body.append(loading("Loading metrics…"));
  const refresh = refreshMs ? setInterval(() => loadAll().catch(showError), refreshMs) : undefined;

  return {
    dispose: () => {
      disposed = true;
      clearInterval(refresh);
      removeShortcuts();
      unsubscribe();
      stopReconnect();
      data.dispose();
      scheduler.dispose();
      viewport.disconnect();
      for (const card of cards.values()) card.dispose();
    },
    setHiddenRuns: (runIds) => {
      context.hiddenRuns = new Set(runIds);
      for (const card of cards.values()) card.runsChanged();
    },
    /** Settles once the first load is drawn (or has failed). */
    loaded,
  };
}
