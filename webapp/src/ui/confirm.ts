import { errorState, h } from "./dom";

/**
 * A button that asks first, in a real dialog (focus moves into it, Escape cancels): `title()` as it is when opened,
 * `text`, and the button `confirm`, which runs `action`; the dialog closes once it is done, or shows why it failed.
 */
export function confirmButton(label: string, { title, text, confirm, action }: { title: () => string; text: string; confirm: string; action: () => Promise<void> }): HTMLElement {
  const confirmer = h("button", { type: "button", className: "danger" }, confirm);
  const cancel = h("button", { type: "button" }, "Cancel");
  const failure = h("div");
  const heading = h("h2", {});
  const dialog = h("dialog", {}, heading, h("p", {}, text), failure, h("div", { className: "actions" }, cancel, confirmer));
  dialog.setAttribute("aria-label", label);
  cancel.addEventListener("click", () => dialog.close());
  confirmer.addEventListener("click", async () => {
    try {
      await action();
      dialog.close();
    } catch (error) {
      failure.replaceChildren(errorState(error));
    }
  });
  const open = h("button", { type: "button", className: "danger", onclick: () => {
    heading.textContent = title();
    dialog.setAttribute("aria-label", heading.textContent);
    failure.replaceChildren();
    dialog.showModal();
  } }, label);
  return h("span", {}, open, dialog);
}
