import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { formatNumber } from "../src/ui/dom";
import { runColor } from "../src/charts/runColor";
import { ARTEFACTS, curve, gql, lineLevel, logPoints, screenshot, seedRun, tintedMiddle, useDashboard, type Dashboard, type PointInput } from "./harness";

let server: Dashboard["server"];
let web: Dashboard["web"];
let browser: Browser;
let page: Page;
const runIds: string[] = [];

async function seed(): Promise<void> {
  for (const [i, lr] of [0.1, 0.01, 0.001].entries()) {
    const id = await seedRun(server.url, "vision", i < 2 ? "resnet" : "vit", `lr-${lr}`, { lr, batch_size: 32 * (i + 1), optimizer: { name: i ? "adam" : "sgd" } });
    runIds.push(id);
    await logPoints(server.url, id, [
      ...curve("loss", "train", 0, 200, (s) => (s === 120 && i === 0 ? "NaN" : 2 * Math.exp(-s / (60 + 40 * i)) + 0.05 * Math.sin(s))),
      ...curve("loss", "val", 0, 200, (s) => 2.1 * Math.exp(-s / (70 + 40 * i)) + 0.1),
      ...curve("accuracy", "val", 0, 200, (s) => 0.95 - 0.8 * Math.exp(-s / (50 + 30 * i))),
    ]);
  }
}

/** The cells of a line's row in the loss chart's min/max table: line, last, min @ step, max @ step. */
const lossRow = (on: Page, line: string) => on.locator(".chart-card[data-metric=loss] .stats tbody tr", { hasText: line }).locator("td");

/**
 * Logs `point(step)` to a run every second, step after step, until `shown` answers `expected`: then the page's
 * subscription runs (its socket opens on its own time). Answers the next free step.
 */
async function logUntilShown(runId: string, step: number, point: (step: number) => PointInput, shown: () => Promise<unknown>, expected: unknown): Promise<number> {
  await expect.poll(async () => {
    await logPoints(server.url, runId, [point(step++)]);
    return shown();
  }, { interval: 1000 }).toBe(expected);
  return step;
}

/** Once a page's charts are loaded, waits until a point logged to run 0's loss (train) shows as it arrives. */
async function whenLive(on: Page, step: number): Promise<number> {
  const row = lossRow(on, "lr-0.1 · train");
  await row.first().waitFor();
  return logUntilShown(runIds[0], step, (s) => ({ name: "loss", split: "train", step: s, value: 0.5 }), () => row.nth(1).textContent(), "0.5");
}

const shot = (name: string) => screenshot(page, name);

beforeAll(() => {
  mkdirSync(ARTEFACTS, { recursive: true });
  for (const old of readdirSync(ARTEFACTS).filter((f) => f.startsWith("failed-"))) rmSync(join(ARTEFACTS, old));
});

useDashboard((dashboard) => {
  ({ server, web, browser, page } = dashboard);
});

describe("dashboard", () => {
  it("should guide a first run when there are no projects", async () => {
    await page.goto(`${web.url}/`);
    await page.getByRole("heading", { name: "No projects yet" }).waitFor();
    expect(await page.locator("pre code").first().textContent()).toContain(`${web.url}/graphql`);
    await shot("empty-state");
  });

  it("should open a project, list its runs and compare two of them", async () => {
    await seed();
    await page.goto(`${web.url}/`);
    await page.getByRole("link", { name: "vision" }).click();
    await page.waitForURL(/\/projects\/vision$/);
    await expect.poll(() => page.locator("table.runs tbody tr").count()).toBe(3);
    expect(await page.locator("table.runs thead").textContent()).toContain("loss · train");
    await shot("runs-table");

    await page.getByRole("checkbox", { name: "Select lr-0.1" }).check();
    await page.getByRole("checkbox", { name: "Select lr-0.01" }).check();
    await page.getByRole("link", { name: "Compare selected (2)" }).click();
    await page.waitForURL(new RegExp(`/compare/${runIds[0]},${runIds[1]}$`));
    await page.locator(".chart-card[data-metric=loss] canvas").waitFor();
    expect(await page.locator(".chart-card h3").allTextContents()).toEqual(["accuracy", "loss"]);
    expect(await page.locator(".chart-card[data-metric=loss] .stats tbody tr").count()).toBe(4); // 2 runs × 2 splits
    await shot("compare");
  });

  it("should sort and filter the runs table on the server and keep it in the URL", async () => {
    await page.goto(`${web.url}/projects/vision?sort=-p:lr`);
    await expect.poll(() => page.locator("table.runs tbody tr td:nth-child(3)").allTextContents()).toEqual(["lr-0.1", "lr-0.01", "lr-0.001"]);
    await page.getByRole("searchbox", { name: "Filter lr" }).fill("< 0.05");
    await expect.poll(() => page.locator("table.runs tbody tr").count()).toBe(2);
    expect(new URL(page.url()).searchParams.get("f.p:lr")).toBe("< 0.05");
  });

  it("should update the chart and the runs table live while points are logged", async () => {
    await page.goto(`${web.url}/compare/${runIds[0]},${runIds[1]}`);
    const lossStats = page.locator(".chart-card[data-metric=loss] .stats");
    await expect.poll(() => lossStats.textContent()).toContain("@ 199");
    await page.waitForTimeout(1000); // let the subscription start
    await logPoints(server.url, runIds[0], curve("loss", "train", 200, 260, (s) => (s === 250 ? 0.0125 : 0.3)));
    await expect.poll(() => lossStats.textContent()).toContain("0.0125 @ 250");

    await page.goto(`${web.url}/projects/vision?param=p:lr&metric=m:loss~train`);
    const firstRow = page.locator(`table.runs tbody tr[data-run-id="${runIds[0]}"]`);
    await firstRow.waitFor();
    await page.waitForTimeout(1000);
    await logPoints(server.url, runIds[0], [{ name: "loss", split: "train", step: 300, value: 0.125 }]);
    await gql(server.url, "mutation($r: ID!) { updateRunStatus(runId: $r, status: COMPLETED) { status } }", { r: runIds[0] });
    await expect.poll(() => firstRow.textContent()).toContain("0.125");
    await expect.poll(() => firstRow.locator(".status").textContent()).toBe("completed");
    await shot("runs-table-live");
  });

  it("should fetch again what it missed while the WebSocket was down", async () => {
    await page.goto(`${web.url}/compare/${runIds[0]},${runIds[1]}`);
    const step = await whenLive(page, 400);
    web.setOffline(true);
    await logPoints(server.url, runIds[0], [{ name: "loss", split: "train", step, value: 0.0078125 }]);
    await page.waitForTimeout(1500); // the client tries to reconnect and is refused
    const refetch = page.waitForRequest((request) => request.postData()?.includes("query Series") ?? false);
    web.setOffline(false);
    // the new subscription only sees points logged after it started: the point comes from the refetch
    await refetch;
    await expect.poll(() => lossRow(page, "lr-0.1 · train").nth(2).textContent()).toBe(`${formatNumber(0.0078125)} @ ${step}`);
  });

  it("should fetch again the points dropped for it before a batch marked as a gap", async () => {
    // What the server does for a subscriber whose buffer overflows (its LiveTests cover that): the page's
    // socket, routed through the test, loses the batches while `dropping` and gets the next one with gap: true.
    const gapPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let dropping = false;
    const droppedSteps: number[] = [];
    let markGap = false;
    await gapPage.routeWebSocket(/\/graphql$/, (ws) => {
      const socket = ws.connectToServer();
      socket.onMessage((message) => {
        if (typeof message === "string" && message.includes('"metricPoints"')) {
          if (dropping) return void droppedSteps.push(...JSON.parse(message).payload.data.metricPoints.series.flatMap((s: { steps: number[] }) => s.steps));
          if (markGap) message = message.replace('"gap":false', '"gap":true');
          markGap = false;
        }
        ws.send(message);
      });
    });
    await gapPage.goto(`${web.url}/compare/${runIds[0]},${runIds[1]}`);
    const step = await whenLive(gapPage, 500);

    dropping = true;
    await logPoints(server.url, runIds[0], curve("loss", "train", step, step + 3, (s) => (s === step + 1 ? 0.00390625 : 0.5)));
    await expect.poll(() => droppedSteps).toContain(step + 1);
    dropping = false;
    markGap = true;
    const refetch = gapPage.waitForRequest((request) => request.postData()?.includes("query Series") ?? false);
    await logPoints(server.url, runIds[0], [{ name: "loss", split: "train", step: step + 3, value: 0.25 }]);
    await refetch;
    const row = lossRow(gapPage, "lr-0.1 · train");
    await expect.poll(() => row.nth(1).textContent()).toBe("0.25");
    await expect.poll(() => row.nth(2).textContent()).toBe(`${formatNumber(0.00390625)} @ ${step + 1}`);
    await gapPage.close();
  });

  it("should draw the min/max band of every downsampled line", async () => {
    // 9 lines (more than the 8 that used to get bands) of 8,000 steps: buckets of 8 steps or more, each with
    // a spike up and down in it and a last point at 1, so the lines are flat and the bands fill 0 to 2
    const bandRuns: string[] = [];
    for (const name of ["a", "b", "c"]) bandRuns.push(await seedRun(server.url, "bands", "m", name, {}));
    const spread = (step: number) => (step % 8 === 3 ? 2 : step % 8 === 5 ? 0 : 1);
    await Promise.all(bandRuns.flatMap((id) => ["x", "y", "z"].flatMap((split) =>
      [0, 4000].map((from) => logPoints(server.url, id, curve("spread", split, from, from + 4000, spread))))));
    await page.goto(`${web.url}/compare/${bandRuns.join(",")}`);
    const card = page.locator(".chart-card[data-metric=spread]");
    await card.locator("canvas").first().waitFor();
    await page.waitForTimeout(300);
    await card.screenshot({ path: join(ARTEFACTS, "bands.png") });
    // down the middle of the plot, the overlapping bands tint nearly every pixel; flat lines alone would a few
    expect(await tintedMiddle(card)).toBeGreaterThan(0.8);
  });

  it("should hide a line's band with the line when its legend entry is pressed, by mouse or keyboard, and fade it while another is pointed at", async () => {
    const id = await seedRun(server.url, "bands", "m", "solo", {});
    await logPoints(server.url, id, curve("spread", null, 0, 4000, (step) => (step % 8 === 3 ? 2 : step % 8 === 5 ? 0 : 1)));
    await page.goto(`${web.url}/runs/${id}`);
    const card = page.locator(".chart-card[data-metric=spread]");
    const chart = card.locator(".chart");
    await chart.locator("canvas").first().waitFor();
    await page.waitForTimeout(300);
    expect(await tintedMiddle(card)).toBeGreaterThan(0.8);
    const entry = card.getByRole("button", { name: "solo" });
    await entry.click();
    await expect.poll(() => tintedMiddle(card)).toBeLessThan(0.05);
    expect(await entry.getAttribute("aria-pressed")).toBe("false");
    await entry.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => tintedMiddle(card)).toBeGreaterThan(0.8);
    expect(await entry.getAttribute("aria-pressed")).toBe("true");
    // a new line rebuilds the legend: it gets its entry, and the keyboard stays where it was
    await logUntilShown(id, 0, (step) => ({ name: "spread", split: "extra", step, value: 1 }),
      () => card.getByRole("button", { name: "solo · extra" }).count(), 1);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("solo");
    // pointing at another line's entry fades the others until the pointer leaves (solo zigzags: samples of buckets)
    expect(await tintedMiddle(card, lineLevel(runColor(id)))).toBeGreaterThan(0.8);
    await card.getByRole("button", { name: "solo · extra" }).hover();
    await expect.poll(() => tintedMiddle(card, lineLevel(runColor(id)))).toBeLessThan(0.05);
    await page.mouse.move(0, 0);
    await expect.poll(() => tintedMiddle(card, lineLevel(runColor(id)))).toBeGreaterThan(0.8);
    // the legend is one tab stop; its arrow keys move between the entries
    expect(await card.locator(".legend button[tabindex='0']").allTextContents()).toEqual(["solo"]);
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("solo · extra");
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("solo");
    await page.keyboard.press("End");
    expect(await card.locator(".legend button[tabindex='0']").allTextContents()).toEqual(["solo · extra"]);
  });

  it("should show the value, the step and the time of a line under the pointer", async () => {
    const id = await seedRun(server.url, "tips", "m", "tip", {});
    await logPoints(server.url, id, curve("ramp", null, 0, 101, (step) => step / 100));
    await page.goto(`${web.url}/runs/${id}`);
    const chart = page.locator(".chart-card[data-metric=ramp] .chart");
    await chart.locator("canvas").first().waitFor();
    await page.waitForTimeout(300);
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const row = chart.locator("div", { hasText: /step \d+/ }).last();
    await row.waitFor();
    const [, value, step] = /tip: ([\d.]+) step (\d+) · \d{1,2}:\d{2}:\d{2}/.exec((await row.textContent()) ?? "") ?? [];
    // the middle of the plot is about the middle of the steps
    expect(Number(step)).toBeGreaterThan(30);
    expect(Number(step)).toBeLessThan(70);
    expect(value).toBe(formatNumber(Number(step) / 100));
  });

  it("should query series in detail when the chart is zoomed", async () => {
    await page.goto(`${web.url}/compare/${runIds[0]},${runIds[1]}`);
    const chart = page.locator(".chart-card[data-metric=accuracy] .chart");
    await chart.locator("canvas").waitFor();
    await page.waitForTimeout(300);
    const zoomQuery = page.waitForRequest((request) => /fromStep/.test(request.postData() ?? "") && /"fromStep":\d+/.test(request.postData() ?? ""));
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -300);
    const variables = JSON.parse((await zoomQuery).postData()!).variables;
    expect(variables.names).toEqual(["accuracy"]);
    expect(variables.fromStep).toBeGreaterThan(0);
    expect(variables.toStep).toBeLessThan(200);
  });

  it("should keep the chart settings in the URL", async () => {
    await page.goto(`${web.url}/compare/${runIds[0]},${runIds[1]}`);
    await page.locator(".chart-card[data-metric=loss] canvas").waitFor();
    await page.getByLabel("X axis").selectOption("wall");
    await page.getByLabel("Log scale").check();
    await expect.poll(() => new URL(page.url()).search).toBe("?x=wall&log=1");
    await page.reload();
    await page.locator(".chart-card[data-metric=loss] canvas").waitFor();
    expect(await page.getByLabel("X axis").inputValue()).toBe("wall");
    expect(await page.getByLabel("Log scale").isChecked()).toBe(true);
    await shot("compare-wall-time-log");
  });

  it("should show a run, save its notes and draw the hyperparameters", async () => {
    await page.goto(`${web.url}/runs/${runIds[1]}`);
    await page.getByRole("heading", { name: "lr-0.01" }).waitFor();
    await page.getByRole("textbox", { name: "Notes" }).fill("best so far");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".edit [role=status]").filter({ hasText: /Saved|wrong|reachable/ }).waitFor();
    expect(await page.locator(".edit [role=status]").textContent()).toBe("Saved.");
    await page.reload();
    await expect.poll(() => page.getByRole("textbox", { name: "Notes" }).inputValue()).toBe("best so far");
    await page.locator(".chart-card canvas").first().waitFor();
    await shot("run");

    await page.goto(`${web.url}/projects/vision/params?metric=m:loss~val`);
    await page.locator(".chart.parallel svg").waitFor(); // drawn as SVG: its names and labels stay text
    await shot("hyperparameters");
  });

  it("should delete a run after confirmation", async () => {
    await page.goto(`${web.url}/runs/${runIds[2]}`);
    await page.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete run" }).click();
    await page.waitForURL(/\/projects\/vision$/);
    await expect.poll(() => page.locator("table.runs tbody tr").count()).toBe(2);
  });

  it("should show a run's system metrics, environment and console output, searchable and live", async () => {
    const id = await seedRun(server.url, "sysconsole", "m", "with-console", {});
    const second = Math.floor(Date.now() / 1000);
    await logPoints(server.url, id, [...curve("loss", null, 0, 10, (s) => 1 / (s + 1)), ...curve("sys/cpu_percent", null, second - 30, second, (s) => 40 + (s % 7))]);
    await gql(server.url, "mutation($id: ID!) { setRunEnvironment(runId: $id, environment: { hostname: \"gpu-box-7\", cpuCount: 64 }) { id } }", { id });
    const logConsole = (lines: { line: number; stream: string; text: string }[]) =>
      gql(server.url, "mutation($id: ID!, $lines: [ConsoleLineInput!]!) { logConsole(runId: $id, lines: $lines) { accepted } }", { id, lines });
    await logConsole([{ line: 0, stream: "STDOUT", text: "epoch 0 loss 1.0" }, { line: 1, stream: "STDERR", text: "warning: slow data loader" }]);

    await page.goto(`${web.url}/runs/${id}`);
    const system = page.getByRole("region", { name: "System" });
    await system.locator(".chart-card[data-metric='sys/cpu_percent'] canvas").waitFor();
    expect(await page.getByRole("region", { name: "Metrics" }).locator(".chart-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-metric")))).toEqual(["loss"]);
    expect(await page.locator("table.kv tr", { hasText: "hostname" }).textContent()).toContain("gpu-box-7");
    const lines = page.getByLabel("Console lines");
    await expect.poll(() => lines.locator("div").allTextContents()).toEqual(["epoch 0 loss 1.0", "warning: slow data loader"]);
    await logConsole([{ line: 2, stream: "STDOUT", text: "epoch 1 loss 0.5" }]);
    await expect.poll(() => lines.locator("div").count(), { timeout: 10_000 }).toBe(3);
    await page.getByLabel("Search console output").fill("LOSS");
    await expect.poll(() => lines.locator("mark").allTextContents()).toEqual(["loss", "loss"]);
    await shot("run-system-console");
  });

  it("should follow the dark theme toggle", async () => {
    await page.goto(`${web.url}/compare/${runIds[0]},${runIds[1]}`);
    await page.getByRole("button", { name: /Switch to dark theme/ }).click();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    await page.locator(".chart-card[data-metric=loss] canvas").waitFor();
    await page.waitForTimeout(500);
    await shot("compare-dark");
  });

  it("should draw a chart scrolled out of view only when it comes back", async () => {
    // last: its points at steps after everything else's would change what the tests before see
    // one column of charts, accuracy above loss; with loss scrolled to the top, accuracy is out of view
    const small = await browser.newPage({ viewport: { width: 1000, height: 400 } });
    await small.goto(`${web.url}/compare/${runIds[0]},${runIds[1]}`);
    await small.locator(".chart-card[data-metric=loss]").evaluate((card) => card.scrollIntoView({ block: "start" }));
    const step = await whenLive(small, 700);
    const accuracyLast = small.locator(".chart-card[data-metric=accuracy] .stats tbody tr", { hasText: "lr-0.1 · val" }).locator("td").nth(1);
    await logPoints(server.url, runIds[0], [
      { name: "accuracy", split: "val", step, value: 0.75 },
      { name: "loss", split: "train", step, value: 0.25 },
    ]);
    await expect.poll(() => lossRow(small, "lr-0.1 · train").nth(1).textContent()).toBe("0.25");
    await small.waitForTimeout(1000); // two more rounds of live draws
    expect(await accuracyLast.textContent()).not.toBe("0.75");
    await small.locator(".chart-card[data-metric=accuracy]").scrollIntoViewIfNeeded();
    await expect.poll(() => accuracyLast.textContent()).toBe("0.75");
    await small.close();
  });
});
