import type { XAxisMode } from "../app/viewState";
import { h } from "../ui/dom";
import type { CardContext } from "./chartCard";
import { isSmoothing, type ChartOverrides } from "./chartOverrides";

const X_MODES: [XAxisMode, string][] = [["step", "Step"], ["relative", "Relative time"], ["wall", "Wall time"]];

/** A number from an input, or undefined when it is empty or not one. */
const numberIn = (input: HTMLInputElement) => (input.value.trim() !== "" && Number.isFinite(input.valueAsNumber) ? input.valueAsNumber : undefined);

/**
 * A chart's own settings, over the page's: smoothing, scale, pins, x axis and y range, each "as the page" until set.
 * Its fields are made when it opens, from the settings then; each change goes to `change` (undefined: the page's).
 */
export function chartSettingsForm(name: string, context: CardContext, own: () => ChartOverrides, change: (change: ChartOverrides) => void): HTMLDetailsElement {
  const body = h("div", { className: "popover chart-settings-form", role: "group", "aria-label": `Settings of ${name}` });
  const details = h("details", { className: "chart-settings" }, h("summary", { title: "This chart's own settings" }, "Settings"), body);
  const field = (label: string, control: HTMLElement) => h("label", {}, h("span", {}, label), control);
  const choice = (label: string, value: string, options: [string, string][], onchange: (value: string) => void) => {
    const select = h("select", { "aria-label": `${label} of ${name}`, onchange: () => onchange(select.value) },
      ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
    return field(label, select);
  };
  const number = (label: string, value: number | undefined, attributes: Record<string, unknown>, onchange: (input: HTMLInputElement) => void) => {
    const input: HTMLInputElement = h("input", { type: "number", step: "any", value: value ?? "", "aria-label": `${label} of ${name}`, ...attributes, onchange: () => onchange(input) });
    return field(label, input);
  };

  function fill(): void {
    const page = context.settings();
    const o = own();
    const onOff = (on: boolean | undefined) => (on === undefined ? "" : on ? "on" : "off");
    const fromOnOff = (value: string) => (value === "" ? undefined : value === "on");
    body.replaceChildren(
      number("Smoothing", o.smoothing, { min: 0, max: 0.99, step: 0.01, placeholder: `page (${page.smoothing.toFixed(2)})` }, (input) =>
        change({ smoothing: isSmoothing(numberIn(input)) ? numberIn(input) : undefined })),
      choice("Y scale", onOff(o.log), [["", `As the page (${page.log ? "log" : "linear"})`], ["off", "Linear"], ["on", "Log"]], (value) => change({ log: fromOnOff(value) })),
      choice("Min/max pins", onOff(o.pins), [["", `As the page (${page.pins ? "on" : "off"})`], ["on", "On"], ["off", "Off"]], (value) => change({ pins: fromOnOff(value) })),
      context.stepsOnly ? "" : choice("X axis", o.x ?? "", [["", "As the page"], ...X_MODES, ...context.xMetrics().filter((metric) => metric !== name)
        .map((metric): [string, string] => [`m:${metric}`, metric])], (value) => change({ x: (value || undefined) as XAxisMode | undefined })),
      number("Y from", o.yMin, { placeholder: "fitted" }, (input) => change({ yMin: numberIn(input) })),
      number("Y to", o.yMax, { placeholder: "fitted" }, (input) => change({ yMax: numberIn(input) })),
      h("button", { type: "button", onclick: () => {
        change({ smoothing: undefined, log: undefined, pins: undefined, x: undefined, yMin: undefined, yMax: undefined });
        fill();
      } }, "As the page"));
  }
  // Closed as other popovers are: by a click elsewhere or by Escape.
  const closeOnClickElsewhere = (event: PointerEvent) => details.contains(event.target as Node) || (details.open = false);
  const closeOnEscape = (event: KeyboardEvent) => event.key === "Escape" && (details.open = false);
  details.addEventListener("toggle", () => {
    if (details.open) {
      fill();
      document.addEventListener("pointerdown", closeOnClickElsewhere);
      document.addEventListener("keydown", closeOnEscape);
    } else {
      document.removeEventListener("pointerdown", closeOnClickElsewhere);
      document.removeEventListener("keydown", closeOnEscape);
    }
  });
  return details;
}
