import { request } from "../api/graphql";
import { DeleteViewDocument, SavedViewsDocument, SaveViewDocument } from "../gql/graphql";
import { errorState, h, link } from "../ui/dom";

/** A saved view keeps the page's URL, which holds every setting of the view (runs, filters, charts). */
export const savedUrl = (state: unknown): string => {
  const url = (state as { url?: unknown } | null)?.url;
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/";
};

/**
 * The project's saved views (server side, shared by everyone on the project): links that open them, and a form that
 * saves the page as it is now under a name, replacing a view of that name. The list is fetched when the menu opens.
 */
export function savedViewsMenu(project: string, signal: AbortSignal): HTMLElement {
  const list = h("ul", { className: "saved-views", "aria-label": "Saved views" });
  const message = h("span", { role: "status", className: "muted" });
  const name = h("input", { type: "text", placeholder: "Name", "aria-label": "View name", required: true, maxLength: 128 });
  const load = () => request(SavedViewsDocument, { project }, signal)
    .then(({ savedViews }) => list.replaceChildren(...(savedViews.length ? savedViews.map((view) => h("li", {},
      link(savedUrl(view.state), view.name), " ",
      h("button", { type: "button", className: "link", "aria-label": `Delete view ${view.name}`, onclick: () => remove(view.name) }, "×")))
      : [h("li", { className: "muted" }, "None yet.")])))
    .catch((error) => signal.aborted || list.replaceChildren(h("li", {}, errorState(error, load))));
  const remove = (viewName: string) => request(DeleteViewDocument, { project, name: viewName }, signal)
    .then(load)
    .catch((error) => message.replaceChildren(errorState(error)));
  const form = h("form", {
    className: "save-view",
    onsubmit: async (event: Event) => {
      event.preventDefault();
      const saving = name.value.trim();
      try {
        await request(SaveViewDocument, { project, name: saving, state: { url: location.pathname + location.search } }, signal);
        message.textContent = `Saved “${saving}”.`;
        name.value = "";
        await load();
      } catch (error) {
        message.replaceChildren(errorState(error));
      }
    },
  }, name, h("button", { type: "submit" }, "Save view"), message);
  const menu = h("details", { className: "saved-views-menu" }, h("summary", {}, "Saved views"), h("div", { className: "popover" }, list, form));
  // fetched when first opened (a view's first requests are its data's), once however often it is toggled meanwhile
  let requested = false;
  menu.addEventListener("toggle", () => {
    if (!menu.open || requested) return;
    requested = true;
    void load();
  });
  return menu;
}
