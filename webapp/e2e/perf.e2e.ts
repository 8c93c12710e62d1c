import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatNumber } from "../src/ui/dom";
import { ARTEFACTS, CHROMIUM_ARGS, logPoints, seedRun, startServer, startStaticServer } from "./harness";

/**
 * The compare view of 20 runs × 4 metrics. The target is 1,000,000 points per series; seeding 80 M points
 * is too slow for a test, so the server holds PERF_POINTS per series (20,000 by default) and a second
 * measurement feeds the browser synthetic series of the full shape (1000 buckets with min/max each).
 */
const RUNS = 20;
const METRICS = ["loss", "accuracy", "lr", "grad_norm"];
const POINTS = Number(process.env.PERF_POINTS ?? 20_000);
const BATCH = 5_000;
const LIVE_SECONDS = 10;

let server: Awaited<ReturnType<typeof startServer>>;
let web: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Browser;
const runIds: string[] = [];
const results: Record<string, unknown> = { runs: RUNS, metrics: METRICS.length, pointsPerSeries: POINTS };

const value = (metric: number, run: number, step: number) => Math.exp(-step / (2000 + 300 * run)) * (metric + 1) + 0.05 * Math.sin(step / 7 + run);

async function seed(): Promise<void> {
  const started = Date.now();
  for (let r = 0; r < RUNS; r++) runIds.push(await seedRun(server.url, "perf", "m", `run-${r}`, { lr: [0.1, 0.01, 0.001, 0.0001][r % 4], seed: r }));
  const jobs: (() => Promise<void>)[] = [];
  for (const [r, id] of runIds.entries())
    for (const [m, name] of METRICS.entries())
      for (let from = 0; from < POINTS; from += BATCH)
        jobs.push(() => logPoints(server.url, id, Array.from({ length: Math.min(BATCH, POINTS - from) }, (_, i) => ({ name, step: from + i, value: value(m, r, from + i) }))));
  await Promise.all(Array.from({ length: 4 }, async () => { while (jobs.length) await jobs.shift()!(); }));
  const seconds = (Date.now() - started) / 1000;
  results.seed = { seconds, pointsPerSecond: Math.round((RUNS * METRICS.length * POINTS) / seconds) };
}

/** A page that records long tasks from its first moment. */
async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: "longtask", buffered: true });
  });
  return page;
}

/**
 * Milliseconds from navigation until the charts were drawn and until the next frame was painted, and the
 * client's own share: from the last API response to drawn (parsing, shaping, ECharts).
 */
async function renderTimes(page: Page): Promise<{ drawnMs: number; paintedMs: number; lastResponseMs: number; clientMs: number }> {
  await page.waitForFunction(() => performance.getEntriesByName("trackstack:charts-drawn").length > 0, null, { timeout: 60_000 });
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const drawn = performance.getEntriesByName("trackstack:charts-drawn")[0].startTime;
    const responses = performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/graphql")).map((e) => (e as PerformanceResourceTiming).responseEnd);
    const lastResponse = Math.max(0, ...responses.filter((t) => t <= drawn));
    resolve({ drawnMs: Math.round(drawn), paintedMs: Math.round(performance.now()), lastResponseMs: Math.round(lastResponse), clientMs: Math.round(drawn - lastResponse) });
  }))));
}

const longTasks = (page: Page, since = 0) =>
  page.evaluate((since) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= since), since);

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  server = await startServer();
  web = await startStaticServer(server.url);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  await seed();
}, 900_000);

afterAll(async () => {
  writeFileSync(join(ARTEFACTS, "perf.json"), JSON.stringify(results, null, 2));
  console.log("performance:", JSON.stringify(results, null, 2));
  await browser?.close();
  await web?.stop();
  await server?.stop();
});

describe("compare view of 20 runs × 4 metrics", () => {
  it("should render the seeded series and stay responsive while all runs log 10 points/s", async () => {
    const page = await newPage();
    const seriesRequests: number[] = [];
    page.on("requestfinished", (request) => {
      if (request.postData()?.includes("query Series")) seriesRequests.push(Math.round(request.timing().responseEnd));
    });
    await page.goto(`${web.url}/compare/${runIds.join(",")}`);
    results.firstRender = { ...(await renderTimes(page)), seriesRequestsMs: seriesRequests, longTasks: await longTasks(page) };
    expect(await page.locator(".chart-card").count()).toBe(METRICS.length);
    await page.screenshot({ path: join(ARTEFACTS, "perf-compare.png"), fullPage: true });

    const liveStart = await page.evaluate(() => performance.now());
    let step = POINTS;
    const stopAt = Date.now() + LIVE_SECONDS * 1000;
    let sent = 0;
    // 10 points/s per run (and metric), sent as a training script would: a batch of 5 steps every 500 ms
    while (Date.now() < stopAt) {
      const tick = Date.now();
      const steps = Array.from({ length: 5 }, (_, i) => step + i);
      await Promise.all(runIds.map((id, r) => logPoints(server.url, id, steps.flatMap((s) => METRICS.map((name, m) => ({ name, step: s, value: value(m, r, s) }))))));
      sent += RUNS;
      step += steps.length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 500 - (Date.now() - tick))));
    }
    await page.waitForTimeout(1000);
    const tasks = await longTasks(page, liveStart);
    results.live = {
      seconds: LIVE_SECONDS,
      stepsPerRunPerSecond: Math.round(((step - POINTS) / LIVE_SECONDS) * 10) / 10,
      logCalls: sent,
      longTasks: tasks.length,
      longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
    };
    // the live points reached the chart: its table shows run 0's last logged loss
    const firstRow = page.locator(".chart-card[data-metric=loss] .stats tbody tr").first();
    expect(await firstRow.locator("td").nth(1).textContent()).toBe(formatNumber(value(0, 0, step - 1)));
    await page.close();
  }, 120_000);

  it("should render synthetic series of the full shape (1000 buckets with min/max each)", async () => {
    const page = await newPage();
    const time = Date.parse("2026-11-23T00:00:00Z");
    const series = runIds.flatMap((runId, r) => METRICS.map((name, m) => ({
      runId, name, split: null, downsampled: true, resolution: "step-buckets:1000",
      points: Array.from({ length: 1000 }, (_, b) => {
        const step = b * 1000 + 999;
        const v = value(m, r, step / 50);
        return { step, time: new Date(time + step * 10).toISOString(), value: v, min: v * 0.9, max: v * 1.1, count: 1000 };
      }),
    })));
    await page.route("**/graphql", async (route) => {
      const body = route.request().postData() ?? "";
      if (!body.includes("query Series")) return route.continue();
      const names: string[] | undefined = JSON.parse(body).variables.names;
      const answer = series.filter((s) => !names || names.includes(s.name));
      await route.fulfill({ contentType: "application/json", body: JSON.stringify({ data: { series: answer } }) });
    });
    await page.goto(`${web.url}/compare/${runIds.join(",")}`);
    const times = await renderTimes(page);
    const tasks = await longTasks(page);
    results.syntheticFullShape = { series: series.length, pointsPerSeries: 1000, ...times, longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))) };
    await page.screenshot({ path: join(ARTEFACTS, "perf-synthetic.png"), fullPage: true });
    expect(await page.locator(".chart-card").count()).toBe(METRICS.length);
    await page.close();
  }, 120_000);
});
