import { setTitle } from "../ui/dom";
import { parseUrl, viewTitle, viewUrl, type View } from "./viewState";

/** Renders a view into the root and answers how to tear it down (close sockets, dispose charts). */
export type Renderer = (root: HTMLElement, view: View) => () => void;

let render: (() => void) | undefined;

/** Shows another view and adds it to the history. */
export function navigate(view: View | string): void {
  history.pushState(null, "", typeof view === "string" ? view : viewUrl(view));
  render?.();
}

/** Records a change of the current view's state (filters, chart settings) in the URL without re-rendering. */
export function replaceView(view: View): void {
  history.replaceState(null, "", viewUrl(view));
}

function currentView(): View {
  return parseUrl(new URL(location.href));
}

/** Client-side routing with the History API; plain links work as links (new tab, copy address). */
export function startRouter(root: HTMLElement, renderer: Renderer): { rerender: () => void } {
  let dispose = () => {};
  render = () => {
    dispose();
    root.replaceChildren();
    const view = currentView();
    setTitle(...viewTitle(view));
    dispose = renderer(root, view);
    window.scrollTo(0, 0);
  };
  document.addEventListener("click", (event) => {
    const anchor = (event.target as Element).closest?.("a");
    if (!anchor || anchor.getAttribute("href")?.startsWith("#") || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || anchor.target || anchor.hasAttribute("download") || url.pathname.startsWith("/graphiql")) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener("popstate", () => render?.());
  render();
  return { rerender: () => render?.() };
}
