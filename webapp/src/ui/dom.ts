type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | EventListener | undefined>;

/** Creates an element: `on*` attributes become listeners, `false`/`undefined` ones are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name in element && typeof (element as unknown as Record<string, unknown>)[name] !== "function" && !name.includes("-"))
      (element as unknown as Record<string, unknown>)[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(typeof child === "number" ? String(child) : child);
  return element;
}

/** An in-app link: a real <a href> (new tab, copy link work) that the router intercepts. */
export const link = (href: string, ...children: Child[]) => h("a", { href }, ...children);

export function loading(text = "Loading…"): HTMLElement {
  return h("p", { className: "state loading", role: "status" }, text);
}

export function errorState(error: unknown, retry?: () => void): HTMLElement {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return h(
    "div",
    { className: "state error", role: "alert" },
    h("strong", {}, code === "NOT_FOUND" ? "Not found" : code === "NETWORK" ? "The server is not reachable" : "Something went wrong"),
    h("p", {}, message, code ? ` (${code})` : ""),
    // trying again finds nothing more: what is not found stays so
    retry && code !== "NOT_FOUND" && h("button", { type: "button", onclick: retry }, "Try again"),
  );
}

/**
 * Every number the dashboard shows (metrics, hyperparameters, axes): 5 significant digits, written out between
 * 0.001 and 100,000 and for whole numbers below 10^15 (a seed, a count); else in exponent form with 4 significant
 * digits and no trailing zeros (5e-4, 1.235e+7).
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "−∞";
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) return Number(value.toPrecision(4)).toExponential();
  return String(Number(value.toPrecision(5)));
}

/** "1 run", "2 runs". */
export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** A date and time in the browser's locale, the month spelled out (a short numeric date reads differently per country). */
export const formatTime = (iso: string | number) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A time as `formatTime` writes it, with the full date and time (weekday, seconds, time zone) in its tooltip. */
export const timeElement = (iso: string | number) =>
  h("time", { dateTime: new Date(iso).toISOString(), title: new Date(iso).toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" }) }, formatTime(iso));

/** The page's title: the view's name, then the app's. */
export const setTitle = (...parts: string[]) => void (document.title = [...parts, "Trackstack"].join(" · "));

/** Links between the views of one thing (a project's runs and its traces), the one shown marked as current. */
export function viewTabs(label: string, current: string, entries: [string, string][]): HTMLElement {
  return h("nav", { className: "view-tabs", "aria-label": label }, ...entries.map(([name, href]) => {
    const a = link(href, name);
    if (name === current) a.setAttribute("aria-current", "page");
    return a;
  }));
}
