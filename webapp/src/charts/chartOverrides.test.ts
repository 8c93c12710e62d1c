import { describe, expect, it } from "vitest";
import type { ChartSettings } from "../app/viewState";
import { chartSettingsOf, formatOverrides, parseOverrides, parsePerChart, setPerChartQuery, withOverride, type ChartOverrides } from "./chartOverrides";

const page: ChartSettings = { x: "step", smoothing: 0.6, log: false, pins: false, charts: "", perChart: {} };

describe("a chart's own settings", () => {
  it("should write only what is set, and read it back", () => {
    expect(formatOverrides({})).toBe("");
    const all: ChartOverrides = { smoothing: 0, log: true, pins: false, x: "m:epoch", yMin: -1.5, yMax: 2e-3, zoom: [100, 500], hidden: ["run a · val", "b"], height: 420 };
    const text = formatOverrides(all);
    expect(text).toBe("s:0,log,pins:0,x:m:epoch,y:-1.5..0.002,z:100..500,h:run a · val|b,ht:420");
    expect(parseOverrides(text)).toEqual(all);
    // a y range open on one side
    expect(formatOverrides({ yMax: 5 })).toBe("y:..5");
    expect(parseOverrides("y:..5")).toEqual({ yMax: 5 });
    expect(parseOverrides("y:0..")).toEqual({ yMin: 0 });
  });

  it("should escape the separators in names", () => {
    const odd: ChartOverrides = { hidden: ["a,b", "c|d", "50% e"], x: "m:x,y" };
    const text = formatOverrides(odd);
    expect(text).toBe("x:m:x%2Cy,h:a%2Cb|c%7Cd|50%25 e");
    expect(parseOverrides(text)).toEqual(odd);
  });

  it("should leave out what it cannot read", () => {
    expect(parseOverrides("s:1.5,s:abc,x:banana,x:m:,y:abc,z:5..1,z:3,h:,ht:-4,ht:x,zz:1,")).toEqual({});
    expect(parseOverrides("h:%E0%A4%A|ok")).toEqual({ hidden: ["ok"] });
    expect(parseOverrides("s:0.3,log:0,pins")).toEqual({ smoothing: 0.3, log: false, pins: true });
  });

  it("should keep each chart in a c.<metric> parameter of its own, charts without settings left out", () => {
    const query = new URLSearchParams("smooth=0.6");
    setPerChartQuery(query, { "val/loss": { log: true, zoom: [10, 20] }, "acc": {}, "a.b": { hidden: ["x"] } });
    expect(query.toString()).toBe("smooth=0.6&c.a.b=h%3Ax&c.val%2Floss=log%2Cz%3A10..20");
    expect(parsePerChart(new URLSearchParams(query.toString() + "&c.=log&c.empty=nonsense&cx=log")))
      .toEqual({ "val/loss": { log: true, zoom: [10, 20] }, "a.b": { hidden: ["x"] } });
  });

  it("should draw a chart with the page's settings under its own", () => {
    expect(chartSettingsOf(page, {})).toEqual(page);
    expect(chartSettingsOf(page, { smoothing: 0, log: true, pins: true, x: "wall" })).toMatchObject({ smoothing: 0, log: true, pins: true, x: "wall" });
    // the groups' lines have no times
    expect(chartSettingsOf(page, { x: "wall" }, true).x).toBe("step");
  });

  it("should drop a setting changed back to the page's", () => {
    expect(withOverride({ log: true, hidden: ["a"] }, { log: undefined, zoom: [1, 2] })).toEqual({ hidden: ["a"], zoom: [1, 2] });
    expect(withOverride({ hidden: ["a"] }, { hidden: [] })).toEqual({});
  });
});
