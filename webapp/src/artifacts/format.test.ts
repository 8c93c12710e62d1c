import { describe, expect, it } from "vitest";
import { exactBytes, formatBytes, shortDigest } from "./format";

describe("artifact sizes", () => {
  it("should show bytes below a KiB as they are", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1)).toBe("1 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });

  it("should show larger sizes in binary units with three significant digits", () => {
    expect(formatBytes(1024)).toBe("1 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(262_144)).toBe("256 KiB");
    expect(formatBytes(12.34 * 1024 ** 2)).toBe("12.3 MiB");
    expect(formatBytes(64 * 1024 ** 3)).toBe("64 GiB");
    expect(formatBytes(3 * 1024 ** 4)).toBe("3 TiB");
  });

  it("should carry a size that rounds up to 1024 into the next unit", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1 MiB");
    expect(formatBytes(1023.4 * 1024)).toBe("1023 KiB");
  });

  it("should give the exact count and a short digest for tooltips and tables", () => {
    expect(exactBytes(1234567)).toBe("1,234,567 bytes");
    expect(shortDigest("5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")).toBe("5f70bf18a086");
  });
});
