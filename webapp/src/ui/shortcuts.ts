import { h } from "./dom";

/** A key or a sequence of keys ("g p": g, then p) and what it does, listed under `scope` on `?`. */
export interface Shortcut {
  keys: string;
  description: string;
  scope: string;
  action: () => void;
}

/** The second key of a sequence must follow the first within this time. */
const SEQUENCE_MS = 1500;

/**
 * What a key does after the keys pending before it: the shortcut it completes, or the keys now pending (a prefix of
 * some sequence), or nothing. A key that neither completes nor continues a sequence starts over on its own.
 */
export function matchKey(pending: string[], key: string, shortcuts: Pick<Shortcut, "keys">[]): { matched?: string; pending: string[] } {
  for (const keys of pending.length ? [[...pending, key], [key]] : [[key]]) {
    const typed = keys.join(" ");
    if (shortcuts.some((s) => s.keys === typed)) return { matched: typed, pending: [] };
    if (shortcuts.some((s) => s.keys.startsWith(`${typed} `))) return { pending: keys };
  }
  return { pending: [] };
}

/** Keys typed into a field are the field's, not shortcuts; a checkbox or a slider takes none. */
export const isTyping = (target: { tagName?: string; type?: string; isContentEditable?: boolean } | null) =>
  !!target && (!!target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName ?? "")
    || (target.tagName === "INPUT" && !/^(checkbox|radio|range|button|submit|reset)$/.test(target.type ?? "")));

/** The shortcuts in force: the app's, and those of the view shown (added when it mounts, removed when it goes). */
const active: Shortcut[] = [];

/** Adds shortcuts until the answered function is called. */
export function addShortcuts(...shortcuts: Shortcut[]): () => void {
  active.push(...shortcuts);
  return () => shortcuts.forEach((s) => active.splice(active.indexOf(s), 1));
}

/** Listens for shortcuts on the page, `?` showing them all. Every shortcut with the keys typed runs (a run page's two chart panels both toggle). */
export function startShortcuts(): void {
  let pending: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  addShortcuts({ keys: "?", description: "Show the keyboard shortcuts", scope: "Everywhere", action: showShortcuts });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target as HTMLInputElement | null) || document.querySelector("dialog[open]")) return;
    const result = matchKey(pending, event.key, active);
    pending = result.pending;
    clearTimeout(timer);
    if (pending.length) timer = setTimeout(() => (pending = []), SEQUENCE_MS);
    if (result.matched === undefined && !pending.length) return;
    event.preventDefault();
    for (const shortcut of active.filter((s) => s.keys === result.matched)) shortcut.action();
  });
}

/** A dialog of the shortcuts in force, by scope, each once. */
export function showShortcuts(): void {
  const scopes = new Map<string, Map<string, string>>();
  for (const { keys, description, scope } of active) scopes.set(scope, (scopes.get(scope) ?? new Map()).set(keys, description));
  const close = h("button", { type: "button" }, "Close");
  const dialog = h("dialog", { className: "shortcuts", "aria-labelledby": "shortcuts-title" },
    h("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"),
    h("table", {}, ...[...scopes].map(([scope, keys]) => h("tbody", {},
      h("tr", {}, h("th", { colSpan: 2, scope: "colgroup" }, scope)),
      ...[...keys].map(([key, description]) =>
        h("tr", {}, h("td", {}, ...key.split(" ").flatMap((k, i) => [i ? " then " : "", h("kbd", {}, k)])), h("td", {}, description)))))),
    h("div", { className: "actions" }, close));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
