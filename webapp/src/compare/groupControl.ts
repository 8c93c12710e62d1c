import { h } from "../ui/dom";
import { MODEL, TAGS, type Grouping } from "./groups";

/**
 * Group by: the hyperparameters that differ, the model, the tags; and, for charts (`lines`), what a group's line and
 * band show. The compare view's and the runs table's.
 */
export function groupControl(differing: string[], grouping: Grouping, change: (grouping: Partial<Grouping>) => void, lines = true): HTMLElement {
  const choices: [string, string][] = [...differing.map((path): [string, string] => [path, path]), [MODEL, "model"], [TAGS, "tags"]];
  const boxes = choices.map(([value]) => h("input", {
    type: "checkbox", value, checked: grouping.by.includes(value),
    onchange: () => change({ by: boxes.filter((box) => box.checked).map((box) => box.value) }),
  }));
  const select = <V extends string>(label: string, value: V, options: [V, string][], set: (value: V) => void) => {
    const element = h("select", { "aria-label": label, disabled: !grouping.by.length, onchange: () => set(element.value as V) },
      ...options.map(([option, text]) => h("option", { value: option, selected: option === value }, text)));
    return element;
  };
  return h("fieldset", { className: "group-by" }, h("legend", {}, "Group by"),
    ...choices.map(([, label], i) => h("label", {}, boxes[i], ` ${label}`)),
    lines && h("div", {}, select("Group line", grouping.stat, [["mean", "Mean"], ["median", "Median"]], (stat) => change({ stat })), " ",
      select("Group band", grouping.band, [["minmax", "Min–max"], ["std", "± std"]], (band) => change({ band }))));
}
