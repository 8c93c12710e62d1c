// Issue 27's remaining dashboard items: run colours, panels, the runs table's bulk actions, the project overview.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runColor } from "../src/charts/runColor";
import { atLaptopSize, cssRgb, curve, foldShot, gql, logPoints, pixelsOf, seedRun, useDashboard, type Dashboard } from "./harness";

let server: Dashboard["server"];
let web: Dashboard["web"];
let page: Page;

useDashboard((dashboard) => {
  ({ server, web, page } = dashboard);
});

const swatches = (selector: string) => page.locator(selector).evaluateAll((elements) => elements.map((e) => getComputedStyle(e).backgroundColor));

describe("issue 27's panels and runs table", () => {
  it("should keep a run's colour in the runs table, the compare view in any order, its charts and the parallel coordinates", async () => {
    const ids: string[] = [];
    for (const [i, name] of ["red-a", "red-b", "red-c"].entries()) {
      const id = await seedRun(server.url, "colours", "m", name, { lr: 10 ** -(i + 2) });
      ids.push(id);
      await logPoints(server.url, id, curve("loss", null, 0, 50, (step) => (i + 1) / (step + 1)));
    }
    expect(new Set(ids.map(runColor)).size).toBe(3);
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/projects/colours`);
      await expect.poll(() => page.locator("table.runs tbody tr").count()).toBe(3);
      const byRow = await page.locator("table.runs tbody tr").evaluateAll((rows) => rows.map((row) => [(row as HTMLElement).dataset.runId!,
        getComputedStyle(row.querySelector(".swatch")!).backgroundColor]));
      expect(Object.fromEntries(byRow)).toEqual(Object.fromEntries(ids.map((id) => [id, cssRgb(runColor(id))])));
      await foldShot(page, "colours-runs-table");

      // the selection in another order (and after a reload): each run keeps its colour, in the list, the legend and the lines
      const reversed = [...ids].reverse();
      await page.goto(`${web.url}/compare/${reversed.join(",")}`);
      await page.reload();
      const card = page.locator(".chart-card[data-metric=loss]");
      await expect.poll(() => card.locator(".chart").getAttribute("aria-busy")).toBeNull();
      await page.waitForTimeout(300);
      expect(await swatches(".run-list-head .swatch")).toEqual(reversed.map((id) => cssRgb(runColor(id))));
      expect((await card.locator(".legend .line-swatch").evaluateAll((elements) => elements.map((e) => getComputedStyle(e).borderTopColor))).sort())
        .toEqual(ids.map((id) => cssRgb(runColor(id))).sort());
      for (const id of ids) expect(await pixelsOf(card, runColor(id))).toBeGreaterThan(50);
      await foldShot(page, "colours-compare");

      await page.goto(`${web.url}/projects/colours/params`);
      await page.getByLabel("Line colour").selectOption("run");
      await expect.poll(() => new URL(page.url()).searchParams.get("colour")).toBe("run");
      const strokes = () => page.locator(".chart.parallel svg path").evaluateAll((paths) => paths.map((p) => p.getAttribute("stroke")));
      await expect.poll(async () => { const drawn = await strokes(); return ids.every((id) => drawn.includes(runColor(id))); }).toBe(true);
      await foldShot(page, "colours-parallel");
    });
  });

  it("should section the charts by prefix, filter them by text or /regex/, collapse a section, full-screen and resize a chart, and plot against epoch", async () => {
    const ids: string[] = [];
    for (const [i, name] of ["panel-a", "panel-b"].entries()) {
      const id = await seedRun(server.url, "panels", "m", name, { lr: 10 ** -(i + 2) });
      ids.push(id);
      await logPoints(server.url, id, [
        ...["train/loss", "val/loss", "val/accuracy", "lr"].flatMap((metric) => curve(metric, null, 0, 101, (step) => (i + 1) / (step + 1))),
        // an epoch every 10 steps, for the first 40 steps only
        ...curve("epoch", null, 0, 5, (epoch) => epoch).map((point) => ({ ...point, step: 10 * point.step })),
      ]);
    }
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/compare/${ids.join(",")}`);
      const sections = page.locator(".chart-section");
      await expect.poll(() => page.locator(".chart-section > summary").allTextContents()).toEqual(["Charts", "train", "val"]);
      expect(await sections.nth(0).locator(".chart-card").evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.metric))).toEqual(["epoch", "lr"]);
      const shown = () => page.locator(".chart-card:visible").evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.metric));

      const filter = page.getByLabel("Filter charts");
      await filter.fill("LOSS");
      await expect.poll(shown).toEqual(["train/loss", "val/loss"]);
      expect(await sections.nth(0).isVisible()).toBe(false); // a section with no chart left
      await filter.fill("/^val\\//");
      await expect.poll(shown).toEqual(["val/accuracy", "val/loss"]);
      await expect.poll(() => new URL(page.url()).searchParams.get("charts")).toBe("/^val\\//");
      await foldShot(page, "panels-filtered");
      await filter.fill("/(/");
      await expect.poll(shown).toEqual(["epoch", "lr", "train/loss", "val/accuracy", "val/loss"]);
      expect(await filter.getAttribute("aria-invalid")).not.toBeNull();
      await filter.fill("");

      await sections.nth(2).locator(":scope > summary").click();
      await expect.poll(shown).toEqual(["epoch", "lr", "train/loss"]);
      await sections.nth(2).locator(":scope > summary").click();

      const card = page.locator(".chart-card[data-metric='val/loss']");
      await card.getByRole("button", { name: "Full screen" }).click();
      await expect.poll(async () => (await card.locator(".chart").boundingBox())!.height).toBeGreaterThan(500);
      expect((await card.boundingBox())!.width).toBe(1366);
      await foldShot(page, "panels-full-screen");
      await page.keyboard.press("Escape");
      await expect.poll(async () => (await card.locator(".chart").boundingBox())!.height).toBe(300);
      // taller by its corner, the plot drawn to the new height
      const corner = (await card.locator(".chart").boundingBox())!;
      await page.mouse.move(corner.x + corner.width - 3, corner.y + corner.height - 3);
      await page.mouse.down();
      await page.mouse.move(corner.x + corner.width - 3, corner.y + corner.height + 97, { steps: 5 });
      await page.mouse.up();
      await expect.poll(async () => (await card.locator(".chart canvas").first().boundingBox())!.height).toBeGreaterThan(380);

      // against epoch: the steps of the first 4 epochs only, so the right end of the plot is step 40, not 100
      await page.getByLabel("X axis").selectOption("m:epoch");
      await expect.poll(() => new URL(page.url()).searchParams.get("x")).toBe("m:epoch");
      await page.reload();
      expect(await page.getByLabel("X axis").inputValue()).toBe("m:epoch");
      const chart = page.locator(".chart-card[data-metric='train/loss'] .chart");
      await expect.poll(() => chart.getAttribute("aria-busy")).toBeNull();
      await chart.scrollIntoViewIfNeeded();
      const box = (await chart.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.93, box.y + box.height * 0.4);
      await expect.poll(() => chart.textContent()).toContain("step 40 ·");
      expect(await chart.textContent()).not.toMatch(/step (9\d|100) ·/);
      await foldShot(page, "panels-x-epoch");
    });
  });

  it("should count runs per status, filter by a count or by tags, select all matching, tag and delete them, and keep the columns' order and widths", async () => {
    const ids: string[] = [];
    // more than a page of the table (50)
    for (let i = 0; i < 55; i++) ids.push(await seedRun(server.url, "bulk", "m", `bulk-${String(i).padStart(2, "0")}`, { seed: i }));
    for (const [i, id] of ids.slice(0, 5).entries()) {
      await gql(server.url, "mutation($id: ID!, $s: RunStatus!) { updateRunStatus(runId: $id, status: $s) { id } }", { id, s: i < 2 ? "FAILED" : "COMPLETED" });
    }
    await gql(server.url, "mutation($id: ID!) { updateRun(runId: $id, tags: [\"baseline\", \"v2\"]) { id } }", { id: ids[10] });
    await gql(server.url, "mutation($id: ID!) { updateRun(runId: $id, tags: [\"v2\"]) { id } }", { id: ids[11] });
    const rows = page.locator("table.runs tbody tr");
    const total = async (filter: Record<string, unknown>) =>
      (await gql<{ runs: { totalCount: number } }>(server.url, "query($f: RunFilter) { runs(project: \"bulk\", filter: $f, first: 0) { totalCount } }", { f: filter })).runs.totalCount;

    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/projects/bulk`);
      const counts = page.getByRole("group", { name: "Runs per status" }).locator("button");
      await expect.poll(() => counts.allTextContents()).toEqual(["50 running", "3 completed", "2 failed", "0 crashed"]);
      await counts.filter({ hasText: "failed" }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get("status")).toBe("FAILED");
      await expect.poll(() => rows.count()).toBe(2);
      await counts.filter({ hasText: "failed" }).click();
      await expect.poll(() => rows.count()).toBe(50);

      // tags as a column, searched: runs with every tag typed
      const tagsFilter = page.getByLabel("Filter Tags");
      await tagsFilter.fill("v2");
      await expect.poll(() => rows.count()).toBe(2);
      await tagsFilter.fill("v2, baseline");
      await expect.poll(() => page.locator("table.runs tbody tr td:nth-child(3)").allTextContents()).toEqual(["bulk-10"]);
      expect(await rows.first().locator(".tag").allTextContents()).toEqual(["baseline", "v2"]);
      await tagsFilter.fill("");
      await expect.poll(() => rows.count()).toBe(50);

      // all 55 selected, though 50 are loaded, and tagged
      await page.getByLabel("Select the runs shown").check();
      const bar = page.getByRole("group", { name: "Selected runs" });
      await expect.poll(() => bar.getByRole("status").textContent()).toBe("50 runs selected");
      await bar.getByRole("button", { name: "Select all 55 runs matching the filter" }).click();
      await expect.poll(() => bar.getByRole("status").textContent()).toBe("55 runs selected");
      expect(await page.locator("a.button", { hasText: "Compare selected" }).textContent()).toBe("Compare selected (55)");
      await foldShot(page, "runs-bulk-selection");
      await bar.getByLabel("Tag to add to the selected runs").fill("sweep-7");
      await bar.getByRole("button", { name: "Add tag" }).click();
      await expect.poll(() => total({ tags: ["sweep-7"] })).toBe(55);
      expect(await total({ tags: ["sweep-7", "baseline", "v2"] })).toBe(1); // the tags a run had are kept

      // delete the runs of a narrower filter, after a confirmation
      await bar.getByRole("button", { name: "Clear" }).click();
      await page.getByLabel("Filter runs by name").fill("bulk-5");
      await expect.poll(() => rows.count()).toBe(5);
      await page.getByLabel("Select the runs shown").check();
      await bar.getByRole("button", { name: "Delete…" }).click();
      const dialog = page.getByRole("dialog", { name: "Delete 5 runs?" });
      await dialog.waitFor();
      await foldShot(page, "runs-bulk-delete");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      expect(await total({})).toBe(55);
      await bar.getByRole("button", { name: "Delete…" }).click();
      await dialog.getByRole("button", { name: "Delete runs" }).click();
      await expect.poll(() => total({})).toBe(50);
      await expect.poll(() => rows.count()).toBe(0);
      expect(await total({ nameContains: "bulk-5" })).toBe(0);
      await page.getByLabel("Filter runs by name").fill("");
      await expect.poll(() => rows.count()).toBe(50); // loaded again: the header is made anew then, which would end a drag

      // the model column dragged before the status, the name widened: both kept over a reload
      const header = (column: string) => page.locator(`table.runs thead th[data-column="${column}"]`);
      await header("model").dragTo(header("status"));
      const order = () => page.locator("table.runs thead tr:first-child th[data-column]").evaluateAll((ths) => ths.map((th) => (th as HTMLElement).dataset.column));
      await expect.poll(async () => (await order()).slice(0, 3)).toEqual(["model", "status", "name"]);
      const before = (await header("name").boundingBox())!.width;
      const handle = (await header("name").locator(".col-resize").boundingBox())!;
      await page.mouse.move(handle.x + 3, handle.y + 5);
      await page.mouse.down();
      await page.mouse.move(handle.x + 123, handle.y + 5, { steps: 5 });
      await page.mouse.up();
      await expect.poll(async () => (await header("name").boundingBox())!.width).toBeGreaterThan(before + 100);
      await page.reload();
      await expect.poll(async () => (await order()).slice(0, 3)).toEqual(["model", "status", "name"]);
      expect((await header("name").boundingBox())!.width).toBeGreaterThan(before + 100);
      expect(await page.locator("table.runs tbody tr").first().locator("td").nth(1).textContent()).toBe("m"); // the cells follow
      await foldShot(page, "runs-columns");
    });
  });

  it("should show a project's best runs by a metric's min or max, chosen and kept in the URL", async () => {
    // [best val loss, best val accuracy]: "late" ends worse than it was at its best; "none" logged no val loss
    const runs: [string, number, number][] = [["early", 0.2, 0.7], ["late", 0.1, 0.9], ["steady", 0.3, 0.8]];
    const ids: Record<string, string> = {};
    for (const [name, loss, accuracy] of runs) {
      ids[name] = await seedRun(server.url, "overview", "m", name, {});
      await logPoints(server.url, ids[name], [
        ...[loss + 0.5, loss, loss + 0.4].map((value, step) => ({ name: "loss", split: "val", step, value })),
        ...[accuracy - 0.2, accuracy, accuracy - 0.1].map((value, step) => ({ name: "accuracy", split: "val", step, value })),
      ]);
    }
    ids.none = await seedRun(server.url, "overview", "m", "none", {});
    await logPoints(server.url, ids.none, [{ name: "accuracy", split: "train", step: 0, value: 1 }]);
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/projects/overview`);
      const overview = page.getByRole("region", { name: "Best runs" });
      const ranked = () => overview.locator("tbody tr").evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll("td")].slice(1, 3).map((td) => td.textContent)));
      // an evaluation split's metric by default (accuracy before loss), an accuracy by its max, highest first
      await expect.poll(ranked).toEqual([["late", "0.9"], ["steady", "0.8"], ["early", "0.7"]]);
      expect(await overview.getByLabel("Best runs by").inputValue()).toBe("m:accuracy~val");
      expect(await overview.locator("th").nth(2).textContent()).toBe("accuracy · val · max");
      await foldShot(page, "project-overview");

      // a loss: its min, lowest first; then its max, highest first; in the URL over a reload
      await overview.getByLabel("Best runs by").selectOption("m:loss~val");
      await expect.poll(ranked).toEqual([["late", "0.1"], ["early", "0.2"], ["steady", "0.3"]]);
      await expect.poll(() => new URL(page.url()).searchParams.get("best")).toBe("m:loss~val@min");
      await overview.getByLabel("Ranked by").selectOption("max");
      await expect.poll(ranked).toEqual([["steady", "0.8"], ["early", "0.7"], ["late", "0.6"]]);
      await expect.poll(() => new URL(page.url()).searchParams.get("best")).toBe("m:loss~val@max");
      await page.reload();
      await expect.poll(ranked).toEqual([["steady", "0.8"], ["early", "0.7"], ["late", "0.6"]]);
      expect(await overview.getByLabel("Ranked by").inputValue()).toBe("max");
      expect(await overview.locator("th").nth(2).textContent()).toBe("loss · val · max");
      await overview.getByRole("link", { name: "Compare these" }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/compare/${[ids.steady, ids.early, ids.late].join(",")}`);
    });
  });

  it("should group the runs table as the compare view groups runs, with each group's mean ± std, min and max of a metric's best", async () => {
    const ids: string[] = [];
    for (const lr of [0.01, 0.001]) {
      for (const seed of [1, 2, 3]) {
        const id = await seedRun(server.url, "grouped", "m", `lr${lr}-s${seed}`, { lr, seed });
        ids.push(id);
        // best val loss: 0.1 × seed for lr 0.01, 0.2 × seed for lr 0.001; it ends higher
        const best = (lr === 0.01 ? 0.1 : 0.2) * seed;
        await logPoints(server.url, id, [best + 1, best, best + 0.5].map((value, step) => ({ name: "loss", split: "val", step, value })));
      }
    }
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/projects/grouped?metric=m:loss~val@min`);
      await expect.poll(() => page.locator("table.runs tbody tr").count()).toBe(6);
      await page.locator("details.group-picker summary").click();
      // the same choices as the compare view's: what varies, the model, the tags
      await expect.poll(() => page.locator("details.group-picker .group-by label").allTextContents()).toEqual([" lr", " seed", " model", " tags"]);
      await page.locator("details.group-picker .group-by label", { hasText: "lr" }).locator("input").check();
      await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBe("lr");
      const groups = page.locator("table.runs tr.group-row");
      await expect.poll(() => groups.locator(".group-toggle").allTextContents()).toEqual(["lr=0.001 (3 runs)", "lr=0.01 (3 runs)"]);
      // the mean of the runs' best ± their (population) std, then their min–max
      expect(await groups.nth(1).locator("td.aggregate").textContent()).toBe("0.2 ± 0.08165 0.1–0.3");
      expect(await groups.nth(0).locator("td.aggregate").textContent()).toBe("0.4 ± 0.1633 0.2–0.6");
      expect(await page.locator("table.runs tr.member:visible").count()).toBe(0);
      await groups.nth(1).locator(".group-toggle").click();
      await expect.poll(() => page.locator("table.runs tr.member:visible td:nth-child(3)").allTextContents()).toEqual(["lr0.01-s3", "lr0.01-s2", "lr0.01-s1"]);
      await expect.poll(() => page.getByRole("region", { name: "Best runs" }).locator("tbody tr[data-run-id]").count()).toBe(5);
      await page.locator("details.group-picker summary").click();
      await foldShot(page, "runs-table-grouped");

      // a group's runs selected at once, to compare; the grouping kept over a reload
      await groups.nth(1).getByLabel("Select the runs of lr=0.01 (3 runs)").check();
      expect(await page.locator("a.button", { hasText: "Compare selected" }).textContent()).toBe("Compare selected (3)");
      await page.reload();
      await expect.poll(() => page.locator("table.runs tr.group-row .group-toggle").allTextContents()).toEqual(["lr=0.001 (3 runs)", "lr=0.01 (3 runs)"]);
    });
  });

  it("should keep a chart's own settings (smoothing, scale, pins, y range, zoom, hidden lines) in the URL over a reload and in a saved view, on a run's system charts too", async () => {
    const ids: string[] = [];
    for (const [i, name] of ["own-a", "own-b"].entries()) {
      const id = await seedRun(server.url, "own", "m", name, {});
      ids.push(id);
      await logPoints(server.url, id, ["loss", "acc", "sys/cpu"].flatMap((metric) => curve(metric, null, 0, 101, (step) => (i + 1) / (step + 1))));
    }
    const card = page.locator(".chart-card[data-metric=loss]");
    const field = (label: string) => card.getByLabel(`${label} of loss`);
    const openSettings = async (of = card) => {
      await expect.poll(() => of.locator(".chart").getAttribute("aria-busy")).toBeNull();
      await of.locator("details.chart-settings > summary").click();
    };
    const own = () => new URL(page.url()).searchParams.get("c.loss");
    const expectRestored = async () => {
      await openSettings();
      expect(await field("Smoothing").inputValue()).toBe("0.5");
      expect(await field("Y scale").inputValue()).toBe("on");
      expect(await field("Min/max pins").inputValue()).toBe("on");
      expect(await field("Y to").inputValue()).toBe("1.5");
      expect(await card.locator("details.chart-settings").getAttribute("class")).toContain("set");
      expect(await card.locator(".legend [data-line='own-b']").getAttribute("aria-pressed")).toBe("false");
      await card.locator("details.chart-settings > summary").click();
    };
    await atLaptopSize(page, async () => {
      await page.goto(`${web.url}/compare/${ids.join(",")}?smooth=0.2`);
      await openSettings();
      expect(await field("Smoothing").getAttribute("placeholder")).toBe("page (0.20)");
      await field("Smoothing").fill("0.5");
      await field("Smoothing").press("Tab");
      await field("Y scale").selectOption("on");
      await field("Min/max pins").selectOption("on");
      await field("Y to").fill("1.5");
      await field("Y to").press("Tab");
      await foldShot(page, "chart-own-settings-form");
      // closed as popovers are: Escape (and a click elsewhere, below)
      await page.keyboard.press("Escape");
      await expect.poll(() => card.locator("details.chart-settings").getAttribute("open")).toBeNull();
      await card.locator(".legend [data-line='own-b']").click();
      // zoomed in by the wheel: the window's x values are kept
      const box = (await card.locator(".chart").boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -300);
      const zoom = () => /z:([^,]+)/.exec(own() ?? "")?.[1].split("..").map(Number) ?? [0, 100];
      await expect.poll(() => zoom()[1] - zoom()[0]).toBeLessThan(60);
      await expect.poll(own).toMatch(/^s:0\.5,log,pins,y:\.\.1\.5,z:[\d.]+\.\.[\d.]+,h:own-b$/);
      const [from, to] = zoom();
      // the other chart keeps the page's settings
      expect(new URL(page.url()).searchParams.get("c.acc")).toBeNull();
      expect(new URL(page.url()).searchParams.get("smooth")).toBe("0.2");

      await page.reload();
      await expectRestored();
      const acc = page.locator(".chart-card[data-metric=acc]");
      await openSettings(acc);
      expect(await acc.getByLabel("Y scale of acc").inputValue()).toBe("");
      await page.locator("h1").first().click();
      await expect.poll(() => acc.locator("details.chart-settings").getAttribute("open")).toBeNull();
      // the zoom window again: the pointer near the plot's right edge is at a step of the window's end, not 100
      await card.locator(".chart").scrollIntoViewIfNeeded();
      const plot = (await card.locator(".chart").boundingBox())!;
      await page.mouse.move(plot.x + plot.width * 0.9, plot.y + plot.height * 0.4);
      await expect.poll(async () => /step (\d+) ·/.exec((await card.locator(".chart").textContent()) ?? "")?.[1]).toBeDefined();
      const step = Number(/step (\d+) ·/.exec((await card.locator(".chart").textContent())!)![1]);
      expect(step).toBeGreaterThan(from);
      expect(step).toBeLessThanOrEqual(Math.ceil(to) + 1);
      await foldShot(page, "chart-own-settings");

      // saved with the view, and restored from it after the chart went back to the page's settings
      const saved = page.url();
      const menu = page.locator("details.saved-views-menu");
      await menu.locator("summary").click();
      await menu.getByLabel("View name").fill("loss on its own");
      await menu.getByRole("button", { name: "Save view" }).click();
      await expect.poll(() => menu.locator("ul.saved-views a").allTextContents()).toEqual(["loss on its own"]);
      await menu.locator("summary").click();
      await openSettings();
      await card.getByRole("button", { name: "As the page" }).click();
      await expect.poll(own).toBe("h:own-b");
      expect(await field("Y scale").inputValue()).toBe("");
      await card.locator("details.chart-settings > summary").click();
      await card.locator(".legend [data-line='own-b']").click();
      await expect.poll(own).toBeNull();
      await page.goto(`${web.url}/projects/own`);
      await page.locator("details.saved-views-menu summary").click();
      await page.getByRole("link", { name: "loss on its own" }).click();
      await expect.poll(() => page.url()).toBe(saved);
      await expectRestored();

      // a run's page: its metrics' charts and its system panel's each keep their own
      await page.goto(`${web.url}/runs/${ids[0]}`);
      const cpu = page.locator(".chart-card[data-metric='sys/cpu']");
      for (const [of, name] of [[card, "loss"], [cpu, "sys/cpu"]] as const) {
        await openSettings(of);
        await of.getByLabel(`Y scale of ${name}`).selectOption("on");
        await of.locator("details.chart-settings > summary").click();
      }
      await expect.poll(() => [own(), new URL(page.url()).searchParams.get("c.sys/cpu")]).toEqual(["log", "log"]);
      await page.reload();
      for (const [of, name] of [[card, "loss"], [cpu, "sys/cpu"]] as const) {
        await openSettings(of);
        expect(await of.getByLabel(`Y scale of ${name}`).inputValue()).toBe("on");
        await of.locator("details.chart-settings > summary").click();
      }
    });
  });
});
