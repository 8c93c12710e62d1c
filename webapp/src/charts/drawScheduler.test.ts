import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useFakeTimersAndFrames, useRealTimersAndFrames } from "../testing/fakeFrames";
import { drawScheduler } from "./drawScheduler";

/** A chart as the scheduler sees it: changes waiting, whether it is in view, how often it was drawn. */
function fakeChart(inView = true) {
  const chart = {
    changes: 0,
    inView,
    draws: 0,
    due: () => chart.inView && chart.changes > 0,
    draw: () => {
      if (!chart.changes) return;
      chart.draws++;
      chart.changes = 0;
    },
  };
  return chart;
}

describe("drawScheduler", () => {
  beforeEach(useFakeTimersAndFrames);
  afterEach(useRealTimersAndFrames);

  function changeEvery(ms: number, times: number, charts: ReturnType<typeof fakeChart>[], schedule: () => void): void {
    for (let i = 0; i < times; i++) {
      for (const chart of charts) chart.changes++;
      schedule();
      vi.advanceTimersByTime(ms);
    }
  }

  it("should draw a burst of changes once, after it ends", () => {
    const chart = fakeChart();
    const scheduler = drawScheduler(() => [chart]);
    changeEvery(10, 20, [chart], scheduler.schedule);
    expect(chart.draws).toBe(0);
    vi.advanceTimersByTime(50);
    expect(chart.draws).toBe(1);
    vi.runAllTimers();
    expect(chart.draws).toBe(1);
  });

  it("should draw a steady stream of changes every 500 ms", () => {
    const chart = fakeChart();
    const scheduler = drawScheduler(() => [chart]);
    changeEvery(20, 100, [chart], scheduler.schedule); // 2 s
    expect(chart.draws).toBe(4);
  });

  it("should draw the changed charts of a round one per frame", () => {
    const charts = [fakeChart(), fakeChart(), fakeChart()];
    const scheduler = drawScheduler(() => charts);
    const nextFrame = () => vi.advanceTimersByTime(17); // the frame, then the task after it
    changeEvery(0, 1, charts, scheduler.schedule);
    vi.advanceTimersByTime(50);
    expect(charts.map((c) => c.draws)).toEqual([1, 0, 0]);
    // more changes meanwhile wait for the next round
    changeEvery(0, 10, [charts[0]], scheduler.schedule);
    nextFrame();
    expect(charts.map((c) => c.draws)).toEqual([1, 1, 0]);
    nextFrame();
    expect(charts.map((c) => c.draws)).toEqual([1, 1, 1]);
    vi.runAllTimers();
    expect(charts.map((c) => c.draws)).toEqual([2, 1, 1]);
  });

  it("should leave a chart out of view for the round after it comes back into view", () => {
    const [shown, hidden] = [fakeChart(), fakeChart(false)];
    const scheduler = drawScheduler(() => [shown, hidden]);
    changeEvery(0, 1, [shown, hidden], scheduler.schedule);
    vi.runAllTimers();
    expect([shown.draws, hidden.draws]).toEqual([1, 0]);
    hidden.inView = true;
    scheduler.schedule();
    vi.runAllTimers();
    expect([shown.draws, hidden.draws]).toEqual([1, 1]);
  });

  it("should draw nothing after it is disposed", () => {
    const charts = [fakeChart(), fakeChart()];
    const scheduler = drawScheduler(() => charts);
    changeEvery(0, 1, charts, scheduler.schedule);
    vi.advanceTimersByTime(50);
    expect(charts.map((c) => c.draws)).toEqual([1, 0]); // the second waits for the next frame
    scheduler.dispose();
    charts[0].changes++;
    scheduler.schedule();
    vi.runAllTimers();
    expect(charts.map((c) => c.draws)).toEqual([1, 0]);
  });

  it("should draw nothing when disposed before the first round", () => {
    const chart = fakeChart();
    const scheduler = drawScheduler(() => [chart]);
    changeEvery(0, 1, [chart], scheduler.schedule);
    scheduler.dispose();
    vi.runAllTimers();
    expect(chart.draws).toBe(0);
  });
});
