import { describe, expect, it } from "vitest";
import { csvDelimiter, decodeText, previewKind } from "./previewKind";

describe("preview kind", () => {
  it("should tell text, JSON, CSV and images apart by extension, whatever its case", () => {
    expect(previewKind("notes.txt")).toBe("text");
    expect(previewKind("config/train.YAML")).toBe("text");
    expect(previewKind("metrics.json")).toBe("json");
    expect(previewKind("data/rows.jsonl")).toBe("text");
    expect(previewKind("data/val.csv")).toBe("csv");
    expect(previewKind("data/val.tsv")).toBe("csv");
    expect(previewKind("plots/loss.PNG")).toBe("image");
    expect(previewKind("a/b/c.jpeg")).toBe("image");
  });

  it("should preview nothing of binary files and unknown extensions", () => {
    expect(previewKind("model.pt")).toBeNull();
    expect(previewKind("weights.safetensors")).toBeNull();
    expect(previewKind("archive.tar.gz")).toBeNull();
    expect(previewKind("folder.json/model.bin")).toBeNull();
  });

  it("should read well-known names without an extension as text, and dot files by their name", () => {
    expect(previewKind("README")).toBe("text");
    expect(previewKind("docs/LICENSE")).toBe("text");
    expect(previewKind("blob")).toBeNull();
    expect(previewKind(".gitignore")).toBeNull();
  });

  it("should read tabs in .tsv files and commas in others", () => {
    expect(csvDelimiter("x.TSV")).toBe("\t");
    expect(csvDelimiter("x.csv")).toBe(",");
  });

  it("should leave out a character cut in two at the end of the first bytes", () => {
    const bytes = new TextEncoder().encode("größe €");
    expect(decodeText(bytes.slice(0, bytes.length - 1), true)).toBe("größe ");
    expect(decodeText(bytes, false)).toBe("größe €");
  });
});
