import { request } from "../api/graphql";
import { AddSpanToDatasetDocument } from "../gql/graphql";
import { errorState, h } from "../ui/dom";

/**
 * A traced LLM call turned into an eval dataset's item (its input messages the item's input, its output the
 * expected answer): a dataset name and a button; the dataset is made when it does not exist yet.
 */
export function addToDatasetForm(project: string, traceId: string, spanId: string): HTMLElement {
  const outcome = h("span", { role: "status", className: "muted" });
  const name = h("input", { type: "text", placeholder: "Dataset name", "aria-label": "Dataset name", required: true, maxLength: 256 });
  const form = h("form", {
    className: "add-to-dataset", "aria-label": "Add to a dataset",
    onsubmit: async (event: Event) => {
      event.preventDefault();
      outcome.replaceChildren("Adding…");
      try {
        const { addDatasetItemsFromSpans: change } = await request(AddSpanToDatasetDocument, { project, dataset: name.value.trim(), span: { traceId, spanId } });
        const version = `${change.version.dataset.name} v${change.version.version}`;
        outcome.replaceChildren(change.created ? `Added: ${version}` : `Already in ${version}`);
      } catch (error) {
        outcome.replaceChildren(errorState(error));
      }
    },
  }, name, " ", h("button", { type: "submit" }, "Add to dataset"), " ", outcome);
  return form;
}
