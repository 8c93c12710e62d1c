// The defects of issue 27 ("The dashboard, second pass"), each driven as a user meets it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { paletteColor, runColor } from "../src/charts/runColor";
import { ARTEFACTS, atLaptopSize, cssRgb, curve, foldShot, gql, lineLevel, logPoints, pixelsOf, rgbOf, screenshot, seedRun, tintedMiddle, useDashboard, type Dashboard } from "./harness";

let server: Dashboard["server"];
let web: Dashboard["web"];
let page: Page;

useDashboard((dashboard) => {
  ({ server, web, page } = dashboard);
});

/** Zigzags between 0 and 2 at every 8 steps: downsampled, the line's samples cover the plot's middle column. */
const spread = (step: number) => (step % 8 === 3 ? 2 : step % 8 === 5 ? 0 : 1);

describe("the dashboard's second pass", () => {
  it("should count as new only the runs that match the table's filters, each once", async () => {
    await seedRun(server.url, "banner", "m", "small-lr", { lr: 0.01 });
    const outside = await seedRun(server.url, "banner", "m", "big-lr", { lr: 0.1 });
    await page.goto(`${web.url}/projects/banner?${new URLSearchParams({ "f.p:lr": "< 0.05" })}`);
    await expect.poll(() => page.locator("table.runs tbody tr").count()).toBe(1);
    const notice = page.locator("button.notice");
    // a matching run created after the load: its points show the banner once the page's subscription runs
    const matching = await seedRun(server.url, "banner", "m", "tiny-lr", { lr: 0.001 });
    let step = 0;
    await expect.poll(async () => {
      await logPoints(server.url, matching, [{ name: "loss", step: step++, value: 1 }]);
      return (await notice.isVisible()) && notice.textContent();
    }, { interval: 1000 }).toBe("1 new run: show");
    // the outside run logs on, and so does the matching one: still one
    for (let i = 0; i < 4; i++) {
      await logPoints(server.url, outside, [{ name: "loss", step: step, value: 1 }]);
      await logPoints(server.url, matching, [{ name: "loss", step: step++, value: 1 }]);
      await page.waitForTimeout(1100); // a run's SUMMARY_CHANGED events come at most once a second
    }
    expect(await notice.textContent()).toBe("1 new run: show");
    await notice.click();
    await expect.poll(() => page.locator("table.runs tbody tr td:nth-child(3)").allTextContents()).toEqual(["tiny-lr", "small-lr"]);
    for (let i = 0; i < 3; i++) {
      await logPoints(server.url, outside, [{ name: "loss", step: step++, value: 1 }]);
      await page.waitForTimeout(1100);
    }
    expect(await notice.isHidden()).toBe(true);
  });

  it("should keep the other lines at full strength when one is hidden from the legend", async () => {
    const id = await seedRun(server.url, "legend", "m", "wash", {});
    await Promise.all(["a", "b"].map((split) => logPoints(server.url, id, curve("spread", split, 0, 4000, spread))));
    await page.goto(`${web.url}/runs/${id}`);
    const card = page.locator(".chart-card[data-metric=spread]");
    await card.locator("canvas").first().waitFor();
    await card.getByRole("button", { name: "wash · b" }).click();
    // the pointer still on the hidden line's entry, then gone: line a is drawn at full strength all along
    await page.waitForTimeout(300);
    expect(await tintedMiddle(card, lineLevel(runColor(id)))).toBeGreaterThan(0.8);
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    expect(await tintedMiddle(card, lineLevel(runColor(id)))).toBeGreaterThan(0.8);
    expect(await card.getByRole("button", { name: "wash · b" }).getAttribute("aria-pressed")).toBe("false");
  });

  it("should draw no min/max pins until they are turned on, then small ones, kept in the URL", async () => {
    const id = await seedRun(server.url, "pins", "m", "ramp", {});
    await logPoints(server.url, id, curve("ramp", null, 0, 101, (step) => ((step - 50) / 50) ** 2));
    await page.goto(`${web.url}/runs/${id}`);
    const card = page.locator(".chart-card[data-metric=ramp]");
    await card.locator("canvas").first().waitFor();
    await page.waitForTimeout(300);
    const pins = page.getByLabel("Min/max pins");
    expect(await pins.isChecked()).toBe(false);
    const without = await pixelsOf(card, runColor(id));
    await pins.check();
    await expect.poll(() => new URL(page.url()).searchParams.get("pins")).toBe("1");
    await page.waitForTimeout(300);
    // two dots of 3.5 pixels' radius: the min in the middle, the first max at the start (pins of 16 × 22 added 500)
    const added = (await pixelsOf(card, runColor(id))) - without;
    expect(added).toBeGreaterThan(15);
    expect(added).toBeLessThan(120);
    await card.screenshot({ path: join(ARTEFACTS, "pins.png") });
    await page.reload();
    await card.locator("canvas").first().waitFor();
    expect(await page.getByLabel("Min/max pins").isChecked()).toBe(true);
  });

  it("should wrap a legend of many runs in rows, naming each run once", async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const id = await seedRun(server.url, "many", "m", `sweep-${i}`, { seed: i });
      ids.push(id);
      await logPoints(server.url, id, ["train", "val"].flatMap((split) => curve("loss", split, 0, 20, (step) => 1 / (step + i))));
    }
    await page.goto(`${web.url}/compare/${ids.join(",")}`);
    const card = page.locator(".chart-card[data-metric=loss]");
    await card.locator("canvas").first().waitFor();
    const legend = card.locator(".legend");
    expect(await legend.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    expect(await legend.evaluate((element) => element.clientHeight)).toBeLessThan(120);
    expect(await legend.getByText("sweep-10", { exact: true }).count()).toBe(1);
    expect(await legend.getByRole("button", { name: "sweep-10 · val" }).count()).toBe(1);
    await screenshot(page, "legend-many-runs");
  });

  it("should answer unknown pages and missing runs as not found, in words of ours", async () => {
    const direct = await page.goto(`${server.url}/no/such/page`); // the jar's own dashboard
    expect(direct!.status()).toBe(404);
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    expect(await page.content()).not.toContain("Whitelabel");
    expect(await page.title()).toBe("Not found · Trackstack");
    const api = await fetch(`${server.url}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe("NOT_FOUND");

    await page.goto(`${web.url}/runs/99999`);
    await page.getByRole("alert").filter({ hasText: "Not found" }).waitFor();
    expect(await page.getByRole("button", { name: "Try again" }).count()).toBe(0);
    expect(await gql(server.url, '{ a: run(id: "99999") { id } b: run(id: "abc") { id } }')).toEqual({ a: null, b: null });

    const id = await seedRun(server.url, "single", "m", "alone", {});
    await page.goto(`${web.url}/compare/${id}`);
    await page.getByRole("heading", { name: "Compare 1 run", exact: true }).waitFor();
    expect(await page.title()).toBe("Compare 1 run · Trackstack");
  });

  it("should show dates in the browser's locale with the full time on hover, and numbers in one format", async () => {
    const id = await seedRun(server.url, "formats", "m", "tiny", { lr: 0.0005 });
    await logPoints(server.url, id, [{ name: "lr", step: 0, value: 0.0005 }]);
    await page.goto(`${web.url}/projects/formats?param=p:lr&metric=m:lr`);
    const row = page.locator(`table.runs tbody tr[data-run-id="${id}"]`);
    await row.waitFor();
    const created = row.locator("time");
    const { text, title } = await created.evaluate((time: HTMLElement) => ({ text: time.textContent!, title: time.title }));
    expect(text).not.toMatch(/^\d{1,2}\/\d{1,2}\/\d{2},/); // not 12/4/26
    expect(text).toContain(String(new Date().getFullYear()));
    expect(title).toContain(String(new Date().getFullYear()));
    expect(title).toMatch(/\d:\d{2}:\d{2}/); // the full time, seconds and all
    const cells = await row.locator("td").allTextContents();
    expect(cells.filter((cell) => cell === "5e-4")).toHaveLength(2);
  });

  it("should title each view and show a favicon", async () => {
    const id = await seedRun(server.url, "titled", "resnet", "baseline", {});
    await page.goto(`${web.url}/projects/titled`);
    await expect.poll(() => page.title()).toBe("titled · Trackstack");
    await page.goto(`${web.url}/runs/${id}`);
    await expect.poll(() => page.title()).toBe("baseline · titled · Trackstack");
    await page.goto(`${web.url}/`);
    await expect.poll(() => page.title()).toBe("Projects · Trackstack");
    const icon = await page.locator("link[rel=icon]").evaluate((link: HTMLLinkElement) => link.href);
    const served = await fetch(new URL(new URL(icon).pathname, server.url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toContain("image/svg+xml");
  });

  it("should show why a run failed, tick a running run's duration, and tell a project's activity", async () => {
    const failed = await seedRun(server.url, "failures", "m", "oom", {});
    const running = await seedRun(server.url, "failures", "m", "still-going", {});
    await gql(server.url, `mutation($id: ID!, $f: RunFailureInput) { updateRunStatus(runId: $id, status: FAILED, failure: $f) { id } }`,
      { id: failed, f: { type: "torch.OutOfMemoryError", message: "CUDA out of memory", traceback: "Traceback (most recent call last):\n  File \"train.py\", line 9\n" } });

    await page.goto(`${web.url}/runs/${failed}`);
    const why = page.locator(".run-details .run-failure");
    await expect.poll(() => why.locator("code").textContent()).toBe("torch.OutOfMemoryError: CUDA out of memory");
    await why.locator("summary").click();
    expect(await why.locator("pre").textContent()).toContain('File "train.py", line 9');
    await screenshot(page, "run-failure");

    await page.goto(`${web.url}/runs/${running}`);
    const duration = page.locator(".run-details dt:text-is('Duration') + dd");
    const first = await duration.textContent();
    await expect.poll(() => duration.textContent(), { timeout: 5000 }).not.toBe(first);

    await page.goto(`${web.url}/projects/failures`);
    const badge = page.locator(`table.runs tbody tr[data-run-id="${failed}"] .status`);
    await expect.poll(() => badge.getAttribute("title")).toBe("torch.OutOfMemoryError: CUDA out of memory");

    await page.goto(`${web.url}/`);
    const card = page.locator("li.card", { has: page.locator("h2", { hasText: /^failures$/ }) });
    await expect.poll(() => card.textContent()).toContain("2 runs (1 running)");
    expect(await card.locator("time").count()).toBeGreaterThan(0);
    expect(await card.textContent()).toContain("Last activity");
  });

  it("should save a view under a name for the whole project, open it again and delete it", async () => {
    const a = await seedRun(server.url, "views", "m", "a", {});
    const b = await seedRun(server.url, "views", "m", "b", {});
    await logPoints(server.url, a, curve("loss", null, 0, 50, (step) => 1 / (step + 1)));
    await logPoints(server.url, b, curve("loss", null, 0, 50, (step) => 2 / (step + 1)));
    await page.goto(`${web.url}/compare/${a},${b}?smoothing=0.6`);
    const saved = page.url();
    const menu = page.locator("details.saved-views-menu");
    await menu.locator("summary").click();
    await expect.poll(() => menu.locator("ul.saved-views").textContent()).toBe("None yet.");
    await menu.getByLabel("View name").fill("a against b");
    await menu.getByRole("button", { name: "Save view" }).click();
    await expect.poll(() => menu.locator("ul.saved-views a").allTextContents()).toEqual(["a against b"]);
    await screenshot(page, "saved-views");

    // Anyone on the project finds it on the project's page and lands on the same compare view.
    await page.goto(`${web.url}/projects/views`);
    const projectMenu = page.locator("details.saved-views-menu");
    await projectMenu.locator("summary").click();
    await projectMenu.getByRole("link", { name: "a against b" }).click();
    await expect.poll(() => page.url()).toBe(saved);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Compare 2 runs");

    await page.locator("details.saved-views-menu summary").click();
    await page.getByRole("button", { name: "Delete view a against b" }).click();
    await expect.poll(() => page.locator("ul.saved-views").textContent()).toBe("None yet.");
  });

  it("should show, sort and filter a metric's best value, not only its last", async () => {
    // "early" reached the lower loss but ended higher: by last value it loses, by min it wins.
    const early = await seedRun(server.url, "best", "m", "early", {});
    const steady = await seedRun(server.url, "best", "m", "steady", {});
    await logPoints(server.url, early, [0.9, 0.1, 0.6].map((value, step) => ({ name: "loss", split: "val", step, value })));
    await logPoints(server.url, steady, [0.9, 0.5, 0.4].map((value, step) => ({ name: "loss", split: "val", step, value })));
    await page.goto(`${web.url}/projects/best?metric=m:loss~val&metric=m:loss~val@min`);
    const header = page.locator("table.runs thead tr").first();
    await expect.poll(() => header.locator("th").allTextContents()).toContain("loss · val · min");
    const names = () => page.locator("table.runs tbody tr td:nth-child(3)").allTextContents();
    await header.getByRole("button", { name: "loss · val · min" }).click();
    await expect.poll(names).toEqual(["early", "steady"]);
    const row = page.locator(`table.runs tbody tr[data-run-id="${early}"]`);
    expect(await row.locator("td.num").allTextContents()).toEqual(["0.6", "0.1"]);
    await page.getByLabel("Filter loss · val · min").fill("< 0.2");
    await expect.poll(names).toEqual(["early"]);
    await page.locator("details.columns-picker summary").click();
    expect(await page.locator("details.columns-picker label", { hasText: "loss · val · max" }).count()).toBe(1);
  });

  it("should draw parallel coordinates with log axes for learning rates, no constant axes, names apart, a telling metric", async () => {
    for (let i = 0; i < 10; i++) {
      const id = await seedRun(server.url, "sweep", "m", `trial-${i}`, {
        lr: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2][i % 5], batch_size: 64, seed: i,
        optimizer: { name: i % 2 ? "adamw" : "sgd", weight_decay: (i % 3) / 10, momentum_schedule: i % 2 ? "cosine" : "constant" },
        scheduler: { warmup_steps: 100 * (i % 4) }, model: { hidden_size: 128 * (1 + (i % 3)), num_layers: 2 + (i % 5) },
      });
      await logPoints(server.url, id, [
        { name: "epoch_time", split: "val", step: 0, value: 30 + i },
        { name: "grad_norm", step: 0, value: 1 },
        { name: "loss", split: "train", step: 0, value: 0.2 + i / 20 },
        { name: "loss", split: "val", step: 0, value: 0.3 + i / 20 },
      ]);
    }
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/projects/sweep/params`);
      const chart = page.locator(".chart.parallel svg");
      await chart.waitFor();
      await expect.poll(() => chart.locator("text").count()).toBeGreaterThan(10);
      // not the alphabetical first ("epoch_time · val"), the evaluation split's loss
      expect(await page.getByLabel("Metric", { exact: true }).inputValue()).toBe("m:loss~val");
      const texts = await chart.locator("text").evaluateAll((elements) => elements.map((element) => {
        const { left, right, top, bottom } = element.getBoundingClientRect();
        return { text: element.textContent!, left, right, top, bottom };
      }).filter(({ text, left, right }) => text.trim() && right > left));
      const words = texts.map(({ text }) => text);
      // an axis per varying hyperparameter, the metric last; none for batch_size, the same in every run
      expect(words).toContain("lr");
      expect(words).toContain("loss · val");
      expect(words.some((word) => word.startsWith("batch"))).toBe(false);
      // the learning rates on a log axis: its labels are powers of ten, not a linear axis's 0.002, 0.004, …
      expect(words).toEqual(expect.arrayContaining(["1e-4", "0.001", "0.01"]));
      expect(words).not.toContain("0.004");
      const overlaps = texts.flatMap((a, i) => texts.slice(i + 1)
        .filter((b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
        .map((b) => `${a.text} / ${b.text}`));
      expect(overlaps).toEqual([]);
      await foldShot(page, "parallel-coordinates");
    });
  });

  it("should show a whole chart above the fold of a 1366×768 screen on a run's page", async () => {
    const id = await seedRun(server.url, "fold", "resnet", "lr-sweep-3", {
      lr: 3e-4, batch_size: 128, epochs: 90, optimizer: { name: "adamw", weight_decay: 0.05, betas: [0.9, 0.999] }, seed: 3, warmup_steps: 500,
    });
    await gql(server.url, "mutation($id: ID!) { setRunEnvironment(runId: $id, environment: { hostname: \"gpu-box-7\", cpuCount: 64, python: \"3.12.3\", gitCommit: \"4f2a9c1\" }) { id } }", { id });
    await gql(server.url, `mutation($id: ID!, $f: RunFailureInput) { updateRunStatus(runId: $id, status: FAILED, failure: $f) { id } }`,
      { id, f: { type: "RuntimeError", message: "NCCL timeout", traceback: "Traceback (most recent call last):\n  File \"train.py\", line 40\n" } });
    await logPoints(server.url, id, ["train", "val"].flatMap((split) => ["loss", "accuracy"].flatMap((name) => curve(name, split, 0, 50, (step) => 1 / (step + 1)))));
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/runs/${id}`);
      const first = page.locator(".chart-card").first();
      await first.locator("canvas").first().waitFor();
      await expect.poll(() => first.locator(".chart").getAttribute("aria-busy")).toBeNull();
      // its title, legend and plot with the zoom slider (the min/max table under it may go below)
      const title = (await first.locator("h3").boundingBox())!;
      const chart = (await first.locator(".chart").boundingBox())!;
      expect(title.y).toBeGreaterThan(0);
      expect(chart.y + chart.height).toBeLessThanOrEqual(768);
      // what moved under the charts is still there
      expect(await page.locator("table.kv tr", { hasText: "hostname" }).textContent()).toContain("gpu-box-7");
      await foldShot(page, "run-page");
    });
  });

  it("should draw the raw line faint behind the smoothed one, and save a chart as a PNG", async () => {
    const id = await seedRun(server.url, "faint", "m", "zigzag", {});
    await logPoints(server.url, id, curve("zig", null, 0, 200, (step) => (step % 2 ? 2 : 0)));
    await page.goto(`${web.url}/runs/${id}?smooth=0.9`);
    const card = page.locator(".chart-card[data-metric=zig]");
    await card.locator("canvas").first().waitFor();
    await page.waitForTimeout(300);
    // Rows down the middle of the plot with a faint pixel of the run's colour in 8 columns at its centre: the raw
    // zigzag (0 to 2 every step) crosses them all; the smoothed line (about 1) only a few.
    const faintRows = await card.locator("canvas").first().evaluate((canvas: HTMLCanvasElement, [r, g, b]) => {
      const columns = 8;
      const { data } = canvas.getContext("2d")!.getImageData(Math.round(canvas.width / 2), 0, columns, canvas.height);
      let rows = 0;
      const from = Math.round(canvas.height / 4);
      const to = Math.round(canvas.height / 2);
      for (let y = from; y < to; y++) {
        for (let x = 0; x < columns; x++) {
          const i = 4 * (y * columns + x);
          const faint = data[i + 3] > 10 && data[i + 3] < 160;
          if (faint && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40) {
            rows++;
            break;
          }
        }
      }
      return rows / (to - from);
    }, rgbOf(runColor(id)));
    expect(faintRows).toBeGreaterThan(0.6);
    await card.screenshot({ path: join(ARTEFACTS, "raw-behind-smoothed.png") });

    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "Download PNG" }).click()]);
    expect(download.suggestedFilename()).toBe("zig.png");
    const png = await readFile((await download.path())!);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    // twice the chart's size, in IHDR's width
    const width = await card.locator(".chart").evaluate((element) => element.clientWidth);
    expect(png.readUInt32BE(16)).toBe(2 * width);
  });

  it("should list the keyboard shortcuts on ?, and act on them but not on keys typed into a field", async () => {
    const a = await seedRun(server.url, "keys", "m", "key-a", {});
    const b = await seedRun(server.url, "keys", "m", "key-b", {});
    await logPoints(server.url, a, curve("loss", null, 0, 20, (step) => 1 / (step + 1)));
    await page.goto(`${web.url}/runs/${a}`);
    await page.locator(".chart-card canvas").first().waitFor();
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    const listed = await dialog.locator("tr").allTextContents();
    expect(listed).toEqual(expect.arrayContaining(["?Show the keyboard shortcuts", "lLog scale on or off", "g then rGo to the runs of this run's project"]));
    await screenshot(page, "keyboard-shortcuts");
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);

    await page.keyboard.press("l");
    await expect.poll(() => new URL(page.url()).searchParams.get("log")).toBe("1");
    expect(await page.getByLabel("Log scale").isChecked()).toBe(true);

    await page.keyboard.press("g");
    await page.keyboard.press("r");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/projects/keys");
    await page.locator("table.runs tbody tr").nth(1).waitFor();
    await page.keyboard.press("/");
    const search = page.getByLabel("Filter runs by name");
    await expect.poll(() => search.evaluate((input) => input === document.activeElement)).toBe(true);
    await page.keyboard.type("key-c"); // "c" here is a letter of the name, not "compare"
    expect(await search.inputValue()).toBe("key-c");
    expect(new URL(page.url()).pathname).toBe("/projects/keys");
    await search.fill("");
    for (const id of [a, b]) await page.locator(`table.runs tr[data-run-id="${id}"] input[type=checkbox]`).check();
    await page.keyboard.press("c");
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/compare\//);
    expect(new URL(page.url()).pathname.slice("/compare/".length).split(",").sort()).toEqual([a, b].sort());
  });

  it("should show a run's hyperparameters and summary in tables searched as one types", async () => {
    const id = await seedRun(server.url, "tables", "m", "searchable", {
      lr: 5e-4, optimizer: { name: "adamw", weight_decay: 0.01 }, model: { layers: 12, heads: 8 }, seed: 7,
    });
    await logPoints(server.url, id, [
      ...[0.9, 0.2, 0.4].map((value, step) => ({ name: "loss", split: "val", step, value })),
      ...[1.5, 0.5].map((value, step) => ({ name: "loss", split: "train", step, value })),
      { name: "accuracy", split: "val", step: 0, value: 0.75 },
    ]);
    await page.goto(`${web.url}/runs/${id}`);
    const config = page.locator(".run-config");
    const shown = (table: string) => config.locator(`${table} tbody tr:visible th`).allTextContents();
    await expect.poll(() => shown("table.kv:not(.summary)")).toContain("optimizer.name");

    await page.getByLabel("Search hyperparameters").fill("optim");
    await expect.poll(() => shown("table.kv:not(.summary)")).toEqual(["optimizer.name", "optimizer.weight_decay"]);
    await page.getByLabel("Search hyperparameters").fill("adamw"); // a value matches too
    await expect.poll(() => shown("table.kv:not(.summary)")).toEqual(["optimizer.name"]);
    await page.getByLabel("Search hyperparameters").fill("nothing-like-this");
    await expect.poll(() => config.getByText("Nothing matches.").filter({ visible: true }).count()).toBe(1);

    const summary = "table.kv.summary";
    expect(await shown(summary)).toEqual(["accuracy · val", "loss · train", "loss · val"]);
    await page.getByLabel("Search summary").fill("loss val");
    await expect.poll(() => shown(summary)).toEqual(["loss · val"]);
    expect(await config.locator(`${summary} tbody tr:visible td`).allTextContents()).toEqual(["0.4", "0.2", "0.9"]);
    await config.screenshot({ path: join(ARTEFACTS, "run-config-search.png") });
  });

  it("should list the compared runs beside the charts, hide a run from every chart, keep it hidden in the URL, add one, and keep colours", async () => {
    const ids: string[] = [];
    for (const [i, name] of ["run-a", "run-b", "run-c"].entries()) {
      const id = await seedRun(server.url, "selection", "m", name, { lr: 10 ** -(i + 2), seed: 1 });
      ids.push(id);
      await logPoints(server.url, id, ["loss", "accuracy"].flatMap((metric) => curve(metric, null, 0, 50, (step) => (i + 1) / (step + 1))));
    }
    const [, b] = ids;
    const [blue, orange, red] = ids.map(runColor); // a sweep's runs, made one after the other: three colours
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/compare/${ids.join(",")}`);
      const cards = page.locator(".chart-card");
      await expect.poll(() => cards.count()).toBe(2);
      const drawnCards = async () => {
        for (const card of await cards.all()) await expect.poll(() => card.locator(".chart").getAttribute("aria-busy")).toBeNull();
        await page.waitForTimeout(300);
      };
      const pixels = async (colour: string) => Promise.all((await cards.all()).map((card) => pixelsOf(card, colour)));
      await drawnCards();
      const list = page.getByRole("complementary", { name: "Runs" });
      // each run once, with its colour and what differs (lr, not the constant seed)
      expect(await list.locator("li a").allTextContents()).toEqual(["run-a", "run-b", "run-c"]);
      expect(await list.locator(`li[data-run-id="${b}"] .run-list-params`).textContent()).toBe("lr 0.001");
      expect(await list.locator(`li[data-run-id="${b}"] .swatch`).evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(cssRgb(orange));
      for (const count of await pixels(orange)) expect(count).toBeGreaterThan(50);

      await list.getByLabel("Show run-b in the charts").uncheck();
      await expect.poll(() => new URL(page.url()).searchParams.get("hide")).toBe(b);
      await page.waitForTimeout(300);
      expect(await pixels(orange)).toEqual([0, 0]); // gone from every chart
      for (const count of [...(await pixels(blue)), ...(await pixels(red))]) expect(count).toBeGreaterThan(50); // the others keep their colours
      expect(await page.locator(".chart-card .legend").allTextContents()).toEqual([expect.not.stringContaining("run-b"), expect.not.stringContaining("run-b")]);
      await foldShot(page, "compare-run-list");

      await page.reload();
      await drawnCards();
      expect(await page.getByLabel("Show run-b in the charts").isChecked()).toBe(false);
      expect(await pixels(orange)).toEqual([0, 0]);
      await page.getByLabel("Show run-b in the charts").check();
      await expect.poll(() => new URL(page.url()).searchParams.has("hide")).toBe(false);
      await page.waitForTimeout(300);
      for (const count of await pixels(orange)) expect(count).toBeGreaterThan(50);

      // another run of the project added from the list, at the end: the others keep their colours
      const d = await seedRun(server.url, "selection", "m", "run-d", { lr: 1e-5, seed: 1 });
      await logPoints(server.url, d, curve("loss", null, 0, 50, (step) => 4 / (step + 1)));
      await list.locator("summary", { hasText: "Add runs" }).click();
      await list.getByLabel("Find a run to add").fill("run-d");
      await list.getByRole("button", { name: "Add run-d" }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/compare/${[...ids, d].join(",")}`);
      await expect.poll(() => list.locator("li a").allTextContents()).toEqual(["run-a", "run-b", "run-c", "run-d"]);
      expect(await list.locator(".run-list-head .swatch").evaluateAll((swatches) => swatches.map((e) => getComputedStyle(e).backgroundColor)))
        .toEqual([...ids, d].map((id) => cssRgb(runColor(id))));
    });
  });

  it("should group the compared runs by lr: a mean line and a min–max band per group, named by its lr and size, the groups in the list", async () => {
    const ids: string[] = [];
    for (const lr of [0.001, 0.01]) {
      for (const seed of [1, 2]) {
        const id = await seedRun(server.url, "grouping", "m", `lr${lr}-seed${seed}`, { lr, seed });
        ids.push(id);
        // the seeds of an lr 0.4 apart: each group's band is as wide as that, the two bands apart
        await logPoints(server.url, id, curve("loss", null, 0, 100, (step) => (lr === 0.001 ? 3 : 1) + 0.4 * seed + 1 / (step + 1)));
      }
    }
    const [blue, orange] = [0, 1].map(paletteColor); // the groups', by their place
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/compare/${ids.join(",")}`);
      const list = page.getByRole("complementary", { name: "Runs" });
      const card = page.locator(".chart-card").first();
      // only what varies is offered, besides the model and the tags
      await expect.poll(() => list.locator(".group-by label").allTextContents()).toEqual([" lr", " seed", " model", " tags"]);
      await list.locator(".group-by label", { hasText: "lr" }).locator("input").check();
      await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBe("lr");
      await expect.poll(() => card.locator(".legend").textContent()).toBe("lr=0.001 (2 runs)lr=0.01 (2 runs)");
      await expect.poll(() => card.locator(".chart").getAttribute("aria-busy")).toBeNull();
      await page.waitForTimeout(300);
      for (const colour of [blue, orange]) {
        expect(await pixelsOf(card, colour)).toBeGreaterThan(50); // its line
        expect(await pixelsOf(card, colour, true)).toBeGreaterThan(2000); // its band
      }
      expect(await page.getByLabel("X axis").count()).toBe(0); // a group's points have steps, no times
      expect(await card.locator(".stats tbody td:first-child").allTextContents()).toEqual(["lr=0.001 (2 runs)", "lr=0.01 (2 runs)"]);
      // the groups in the list, each with its runs, collapsed on a click
      const groups = list.locator(".run-group");
      expect(await groups.locator("summary").allTextContents()).toEqual(["lr=0.001 (2 runs)", "lr=0.01 (2 runs)"]);
      expect(await groups.nth(1).locator("li a").allTextContents()).toEqual(["lr0.01-seed1", "lr0.01-seed2"]);
      await foldShot(page, "compare-groups");
      await groups.nth(1).locator("summary").click();
      expect(await groups.nth(1).locator("li a").first().isVisible()).toBe(false);

      // ± std instead, kept in the URL with the grouping over a reload
      await list.getByLabel("Group band").selectOption("std");
      await expect.poll(() => new URL(page.url()).searchParams.get("band")).toBe("std");
      await page.reload();
      await expect.poll(() => page.locator(".chart-card").first().locator(".legend").textContent()).toBe("lr=0.001 (2 runs)lr=0.01 (2 runs)");
      expect(await page.getByLabel("Group band").inputValue()).toBe("std");
    });
  });
});
