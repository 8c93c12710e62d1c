import { describe, expect, it } from "vitest";
import { loadLayout, moveColumn, orderColumns, saveLayout } from "./columnLayout";

describe("column layout", () => {
  it("should move a column before its target, or after it when moved right", () => {
    const columns = ["status", "name", "model", "created"];
    expect(moveColumn(columns, "created", "name")).toEqual(["status", "created", "name", "model"]);
    expect(moveColumn(columns, "status", "model")).toEqual(["name", "model", "status", "created"]);
    expect(moveColumn(columns, "name", "name")).toEqual(columns);
    expect(moveColumn(columns, "gone", "name")).toEqual(columns);
  });

  it("should order the columns as saved, leaving the columns it does not name in their place", () => {
    expect(orderColumns(["status", "name", "model", "p:lr"], ["model", "status", "name"])).toEqual(["model", "status", "name", "p:lr"]);
    expect(orderColumns(["status", "name", "p:lr", "model"], ["model", "name"])).toEqual(["status", "model", "p:lr", "name"]);
    expect(orderColumns(["a", "b"], [])).toEqual(["a", "b"]);
  });

  it("should keep a layout per project, and start over from one it cannot read", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveLayout("vision", { order: ["name", "status"], widths: { name: 240 } }, storage);
    expect(loadLayout("vision", storage)).toEqual({ order: ["name", "status"], widths: { name: 240 } });
    expect(loadLayout("audio", storage)).toEqual({ order: [], widths: {} });
    store.set("trackstack.columns.broken", "{not json");
    expect(loadLayout("broken", storage)).toEqual({ order: [], widths: {} });
  });
});
