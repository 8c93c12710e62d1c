import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ARTEFACTS, gql, png, seedRun, useDashboard, type Dashboard } from "./harness";

let server: Dashboard["server"];
let web: Dashboard["web"];
let page: Page;
let alpha: string;
let beta: string;

const LOG = `mutation($r: ID!, $items: [MediaItemInput!]!) { logMedia(runId: $r, items: $items) { stored errors { index code message } } }`;

/** Logs media items through the API as a client does; every item must be stored. */
async function logMedia(runId: string, items: Record<string, unknown>[]): Promise<void> {
  const { logMedia } = await gql(server.url, LOG, { r: runId, items });
  expect(logMedia).toEqual({ stored: items.length, errors: [] });
}

const base64 = (bytes: Buffer) => bytes.toString("base64");
/** A 16 × 16 image of one colour per (run, step), so that a step's image tells which it is. */
const sample = (red: number, step: number) => base64(png(16, 16, (x, y) => [red, step * 10, x * 16 + y, 255]));
/** Class 1 in the top-left quarter, class 2 in the right third, background elsewhere. */
const MASK = base64(png(16, 16, (x, y) => [x < 8 && y < 8 ? 1 : x > 10 ? 2 : 0]));
const OVERLAYS = { boxes: [{ x: 0.25, y: 0.25, width: 0.5, height: 0.5, label: "cat", score: 0.9 }], masks: [{ data: MASK, classes: { 1: "cat", 2: "grass" } }] };

const COLUMNS = [{ name: "id", type: "TEXT" }, { name: "pred", type: "TEXT" }, { name: "p", type: "NUMBER" }, { name: "input", type: "IMAGE" }];
const rows = (preds: string[], shift: number) => preds.map((pred, i) => [`x${i + shift}`, pred, (i + 1) / 10, sample(40 * i, 0)]);

/**
 * Two runs logging each kind through logMedia: images at other steps (alpha 0, 10, 20; beta 0, 15), alpha's last with a box
 * and a mask; a histogram series binned by the server (alpha) and one given as edges and counts (beta); a table each
 * (rows x0–x3 and x1–x4); Markdown text at two steps of alpha.
 */
useDashboard(async (dashboard) => {
  ({ server, web, page } = dashboard);
  alpha = await seedRun(server.url, "media", "vision", "alpha", {});
  beta = await seedRun(server.url, "media", "vision", "beta", {});
  await logMedia(alpha, [
    ...[0, 10, 20].map((step) => ({ name: "samples", step, caption: `alpha at ${step}`, image: { data: sample(200, step), overlays: step === 20 ? OVERLAYS : null } })),
    ...Array.from({ length: 50 }, (_, step) => ({ name: "weights/fc1", step, histogram: { values: Array.from({ length: 200 }, (_, i) => Math.sin(i) * (1 + step / 10)), bins: 32 } })),
    { name: "preds", step: 5, table: { columns: COLUMNS, rows: rows(["cat", "dog", "cat", "emu"], 0) } },
    { name: "generated", step: 1, text: { format: "MARKDOWN", content: "# Sample\n\nThe **cat** sat on the mat.\n\n<b>not bold</b>" } },
    { name: "generated", step: 2, text: { format: "MARKDOWN", content: "# Sample\n\nThe **dog** sat on the mat.\n\n<b>not bold</b>" } },
  ]);
  await logMedia(beta, [
    ...[0, 15].map((step) => ({ name: "samples", step, caption: `beta at ${step}`, image: { data: sample(20, step) } })),
    ...Array.from({ length: 5 }, (_, step) => ({ name: "weights/fc1", step, histogram: { edges: [0, 1, 2, 3], counts: [step, 5, 5 - step] } })),
    { name: "preds", step: 5, table: { columns: COLUMNS, rows: rows(["dog", "cat", "cow", "emu"], 1) } },
    { name: "generated", step: 1, text: { format: "PLAIN", content: "beta's **plain** text" } },
  ]);
});

const card = (name: string) => page.locator(`.media-card[data-media="${name}"]`);
/** The step a run's images answered in the image panel, as it shows it. */
const answered = (runId: string) => card("samples").locator(`figure[data-run-id="${runId}"] .media-answered`).textContent();
/** A 1366×768 screenshot of a card, scrolled to the top of the window, kept in ARTEFACTS. */
async function shot(name: string, of: Locator): Promise<void> {
  await of.evaluate((element) => element.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: join(ARTEFACTS, `${name}-1366x768.png`) });
}
/** How many of a canvas's pixels are painted (not transparent). */
const painted = (canvas: Locator) => canvas.evaluate((c: HTMLCanvasElement) => {
  const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
  let count = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
  return count;
});

describe("media panels", () => {
  it("should list a run's media by name on its page, a panel by kind", async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${web.url}/runs/${alpha}`);
    const section = page.locator("section[aria-label=Media]");
    await expect.poll(() => section.locator(".media-card").evaluateAll((cards) => cards.map((c) => `${(c as HTMLElement).dataset.media} ${(c as HTMLElement).dataset.kind}`)))
      .toEqual(["generated TEXT", "preds TABLE", "samples IMAGE", "weights/fc1 HISTOGRAM"]);
    await expect.poll(() => answered(alpha)).toBe("step 20");
    await expect.poll(() => card("samples").locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(16);
    expect(await card("samples").locator(".media-caption").textContent()).toBe("alpha at 20");
    await shot("media-run", section);
  });

  it("should show the compared runs' images side by side at a step, each run's latest at or before it", async () => {
    await page.goto(`${web.url}/compare/${alpha},${beta}`);
    await expect.poll(() => answered(beta)).toBe("step 15");
    expect(await answered(alpha)).toBe("step 20");
    // the ticks are every step either run logged
    expect(await card("samples").locator("datalist option").count()).toBe(4);
    const slider = card("samples").getByRole("slider");
    await slider.focus();
    await page.keyboard.press("Home");
    await expect.poll(() => card("samples").getAttribute("data-shown-step")).toBe("0");
    expect([await answered(alpha), await answered(beta)]).toEqual(["step 0", "step 0"]);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => card("samples").getAttribute("data-shown-step")).toBe("10");
    expect([await answered(alpha), await answered(beta)]).toEqual(["step 10", "step 0"]);
    expect(await card("samples").locator(".media-step").textContent()).toBe("Step 10");
    // the images came with the step's items (these 16-pixel PNGs are their own previews), not by a request each
    expect(await card("samples").locator(`figure[data-run-id="${alpha}"] img`).getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    // each image is alpha's at step 10: its green channel is the step's
    const green = await card("samples").locator(`figure[data-run-id="${alpha}"] img`).evaluate((img: HTMLImageElement) => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 16;
      const context = canvas.getContext("2d")!;
      context.drawImage(img, 0, 0);
      return context.getImageData(0, 0, 1, 1).data[1];
    });
    expect(green).toBe(100);
    await shot("media-images", card("samples"));
    // play runs through the steps to the last and stops
    await card("samples").getByRole("button", { name: "Play" }).click();
    await expect.poll(() => card("samples").getAttribute("data-shown-step")).toBe("20");
    await expect.poll(() => card("samples").locator(".media-play").textContent()).toBe("Play");
  });

  it("should zoom an image with its box and mask drawn over it", async () => {
    await card("samples").locator(`figure[data-run-id="${alpha}"] .media-thumb`).click();
    const dialog = page.locator("dialog.media-zoom");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator(".zoom-box").textContent()).toBe("cat 0.90");
    expect(await dialog.locator(".zoom-classes li").allTextContents()).toEqual(["cat", "grass"]);
    // the mask's classes painted, its background clear: 64 + 80 of 256 pixels
    await expect.poll(() => dialog.locator("canvas.zoom-mask").count()).toBe(1);
    expect(await painted(dialog.locator("canvas.zoom-mask"))).toBe(64 + 5 * 16);
    // shown larger than its 16 pixels
    expect((await dialog.locator(".zoom-stage img").boundingBox())!.width).toBeGreaterThan(400);
    await page.screenshot({ path: join(ARTEFACTS, "media-zoom-1366x768.png") });
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it("should draw histograms over steps as a heatmap and a ridgeline, per run", async () => {
    const histogram = card("weights/fc1");
    await expect.poll(() => histogram.getAttribute("data-drawn")).toBe("heatmap 50");
    expect(await painted(histogram.locator("canvas").first())).toBeGreaterThan(10_000);
    await shot("media-histogram", histogram);
    await histogram.getByRole("combobox", { name: "Histogram run" }).selectOption(beta);
    await expect.poll(() => histogram.getAttribute("data-drawn")).toBe("heatmap 5");
    await histogram.getByRole("combobox", { name: "weights/fc1: view" }).selectOption("ridgeline");
    await expect.poll(() => histogram.getAttribute("data-drawn")).toBe("ridgeline 5");
    expect(await painted(histogram.locator("canvas").first())).toBeGreaterThan(10_000);
    await shot("media-ridgeline", histogram);
  });

  it("should sort, filter and join tables of two runs by a key column", async () => {
    const table = card("preds");
    const column = (n: number) => table.locator(`tbody tr td:nth-child(${n})`).allTextContents();
    await expect.poll(() => column(1)).toEqual(["x0", "x1", "x2", "x3"]);
    await expect.poll(() => table.locator("tbody img").evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth === 16).length)).toBe(4);
    await table.getByRole("button", { name: "pred" }).click();
    expect(await column(2)).toEqual(["cat", "cat", "dog", "emu"]);
    await table.getByRole("searchbox").fill("dog");
    await expect.poll(() => column(1)).toEqual(["x1"]);
    await table.getByRole("searchbox").fill("");
    await table.getByRole("combobox", { name: "Join with" }).selectOption(beta);
    await expect.poll(() => table.locator("thead th").allTextContents())
      .toEqual(["id", "alpha: pred", "alpha: p", "alpha: input", "beta: pred", "beta: p", "beta: input"]);
    expect(await table.getByRole("combobox", { name: "Join by" }).inputValue()).toBe("id");
    expect(await column(1)).toEqual(["x0", "x1", "x2", "x3", "x4"]);
    // x1: alpha's second row (dog) beside beta's first (dog); x0 only in alpha, x4 only in beta
    expect(await table.locator("tbody tr").nth(1).locator("td").allTextContents()).toEqual(["x1", "dog", "0.2", "", "dog", "0.1", ""]);
    expect(await table.locator("tbody tr").nth(4).locator("td").allTextContents()).toEqual(["x4", "–", "–", "–", "emu", "0.4", ""]);
    await table.getByRole("button", { name: "beta: p", exact: true }).click();
    await table.getByRole("button", { name: "beta: p", exact: true }).click();
    expect(await column(1)).toEqual(["x4", "x3", "x2", "x1", "x0"]);
    await shot("media-table-join", table);
  });

  it("should render text safely and diff it between two steps", async () => {
    const text = card("generated");
    const alphaText = text.locator(`.media-text[data-run-id="${alpha}"]`);
    await expect.poll(() => alphaText.locator("strong").textContent()).toBe("dog");
    expect(await alphaText.locator("p").last().textContent()).toBe("<b>not bold</b>");
    expect(await alphaText.locator("b").count()).toBe(0);
    expect(await text.locator(`.media-text[data-run-id="${beta}"] pre`).textContent()).toBe("beta's **plain** text");
    // the source is diffed, the words that differ marked
    await text.locator("summary").click();
    await expect.poll(() => text.locator("table.diff mark").allTextContents()).toEqual(["**cat**", "**dog**"]);
    expect(await text.locator("table.diff th").allTextContents()).toEqual(["step 1", "step 2"]);
    await shot("media-text-diff", text);
  });

  it("should extend the slider with steps logged live, and add a panel for a new name", async () => {
    expect(await card("samples").getAttribute("data-shown-step")).toBe("20");
    await logMedia(beta, [{ name: "samples", step: 30, caption: "beta at 30", image: { data: sample(20, 30) } }]);
    // at the last step, the slider follows the new one
    await expect.poll(() => card("samples").getAttribute("data-shown-step")).toBe("30");
    expect([await answered(alpha), await answered(beta)]).toEqual(["step 20", "step 30"]);
    expect(await card("samples").locator("datalist option").count()).toBe(5);
    await logMedia(alpha, [{ name: "eval/notes", step: 3, text: { content: "new" } }]);
    await expect.poll(() => card("eval/notes").locator(".media-text pre").first().textContent()).toBe("new");
  });
});
