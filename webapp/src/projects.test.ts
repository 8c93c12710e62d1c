import { describe, expect, it } from "vitest";
import { projectListHtml } from "./projects";

describe("projectListHtml", () => {
  it("should list projects with their run counts", () => {
    expect(projectListHtml([{ name: "vision", runCount: 3 }])).toBe("<li>vision <small>(3 runs)</small></li>");
  });

  it("should escape markup in project names", () => {
    expect(projectListHtml([{ name: "<b>x</b>", runCount: 0 }])).toContain("&#60;b&#62;x&#60;/b&#62;");
  });

  it("should say so when there are no projects", () => {
    expect(projectListHtml([])).toContain("No projects yet");
  });
});
