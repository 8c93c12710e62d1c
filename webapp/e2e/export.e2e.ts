import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { logPoints, seedRun, useDashboard, type Dashboard } from "./harness";

let web: Dashboard["web"];
let page: Page;
const runIds: string[] = [];
/** More points than a chart draws (1,000 at most): the download must have them all. */
const POINTS = 2500;

useDashboard(async (dashboard) => {
  ({ web, page } = dashboard);
  for (const name of ["first", "second"]) {
    const id = await seedRun(dashboard.server.url, "exports", "resnet", name, { lr: 0.1, optimizer: { name: "adam" } });
    runIds.push(id);
    await logPoints(dashboard.server.url, id, Array.from({ length: POINTS }, (_, step) => ({ name: "loss", split: "train", step, value: 1 / (step + 1) })));
    await logPoints(dashboard.server.url, id, [{ name: "accuracy", split: null, step: 0, value: 0.5 }]);
  }
});

/** Clicks the button and answers the lines of the file the browser saved. */
async function downloaded(click: () => Promise<void>): Promise<{ name: string; lines: string[] }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const text = await readFile((await download.path())!, "utf8");
  return { name: download.suggestedFilename(), lines: text.split("\r\n").filter((line) => line) };
}

describe("Download CSV", () => {
  it("should save every point of a chart's series, not the downsampled lines", async () => {
    await page.goto(`${web.url}/compare/${runIds.join(",")}`);
    const card = page.locator(".chart-card[data-metric=loss]");
    await card.locator(".stats tbody tr").first().waitFor();
    const { name, lines } = await downloaded(() => card.getByRole("button", { name: "Download CSV" }).click());
    expect(name).toBe("exports-loss.csv");
    expect(lines[0]).toBe("run_id,run_name,name,split,step,time,value");
    expect(lines).toHaveLength(1 + 2 * POINTS); // loss only: not accuracy
    expect(lines[1]).toMatch(new RegExp(`^${runIds[0]},first,loss,train,0,[^,]+,1\\.0$`));
    expect(lines[POINTS]).toMatch(new RegExp(`^${runIds[0]},first,loss,train,${POINTS - 1},`));
    expect(lines[2 * POINTS]).toMatch(new RegExp(`^${runIds[1]},second,loss,train,${POINTS - 1},`));
  });

  it("should save the runs table's runs with their hyperparameters and summaries", async () => {
    await page.goto(`${web.url}/projects/exports`);
    await page.locator("table.runs tbody tr").nth(1).waitFor();
    const { name, lines } = await downloaded(() => page.locator(".table-toolbar").getByRole("button", { name: "Download CSV" }).click());
    expect(name).toBe("exports-runs.csv");
    const header = lines[0].split(",");
    expect(header.slice(0, 3)).toEqual(["id", "name", "model"]);
    expect(header).toContain("hp.optimizer.name");
    expect(header).toContain("loss/train.count");
    expect(lines).toHaveLength(3);
    const first = lines.map((line) => line.split(",")).find((row) => row[1] === "first")!;
    expect(first[header.indexOf("hp.optimizer.name")]).toBe("adam");
    expect(first[header.indexOf("loss/train.count")]).toBe(String(POINTS));
  });
});
