import { h } from "./dom";

type Theme = "light" | "dark";
const STORAGE_KEY = "trackstack.theme";
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

const chosen = () => localStorage.getItem(STORAGE_KEY) as Theme | null;
const effective = (): Theme => chosen() ?? (systemDark.matches ? "dark" : "light");

/**
 * Applies the theme (the user's choice, else the system's) and answers the toggle button. Charts are
 * drawn with theme colours, so a change re-renders the view through `onChange`.
 */
export function themeToggle(onChange: () => void): HTMLButtonElement {
  const apply = () => {
    const theme = effective();
    document.documentElement.dataset.theme = theme;
    button.textContent = theme === "dark" ? "☀ Light" : "☾ Dark";
    button.setAttribute("aria-label", `Switch to ${theme === "dark" ? "light" : "dark"} theme`);
  };
  const button = h("button", {
    type: "button",
    className: "theme-toggle",
    onclick: () => {
      localStorage.setItem(STORAGE_KEY, effective() === "dark" ? "light" : "dark");
      apply();
      onChange();
    },
  });
  systemDark.addEventListener("change", () => {
    if (chosen()) return;
    apply();
    onChange();
  });
  apply();
  return button;
}
