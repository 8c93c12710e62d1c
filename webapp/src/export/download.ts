import { authorization } from "../api/token";

/**
 * Saves an export of docs/api.md ("Exporting"), every stored point and never the downsampled view, as a file. Fetched
 * with the API token, which a plain link could not carry; the error the server answers becomes the thrown message.
 */
export async function downloadExport(project: string, what: "points" | "runs", query: Record<string, string>, fileName: string): Promise<void> {
  const response = await fetch(`/api/v1/projects/${encodeURIComponent(project)}/export/${what}?${new URLSearchParams(query)}`,
    { headers: authorization() });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { errors?: { message: string }[] } | null;
    throw new Error(body?.errors?.[0]?.message ?? `The export failed: HTTP ${response.status}`);
  }
  const url = URL.createObjectURL(await response.blob());
  saveUrl(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves what `url` (a blob: or data: URL) holds as a file named `fileName`. */
export function saveUrl(url: string, fileName: string): void {
  const link = Object.assign(document.createElement("a"), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
}

/** A button that runs `download`, disabled meanwhile; a failure is shown in its title and an alert. */
export function downloadButton(label: string, download: () => Promise<void>): HTMLButtonElement {
  const button = document.createElement("button");
  Object.assign(button, { type: "button", className: "download", textContent: label });
  button.onclick = async () => {
    button.disabled = true;
    try {
      await download();
      button.title = "";
    } catch (error) {
      button.title = String(error instanceof Error ? error.message : error);
      window.alert(button.title);
    } finally {
      button.disabled = false;
    }
  };
  return button;
}
