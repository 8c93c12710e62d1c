import { describe, expect, it } from "vitest";
import { formatFor } from "./units";

describe("formatFor", () => {
  it("shows bytes in binary units, and rates per second", () => {
    expect(formatFor("sys/memory_used_bytes")(3 * 1024 ** 3)).toBe("3 GiB");
    expect(formatFor("sys/process_memory_rss_bytes")(1536)).toBe("1.5 KiB");
    expect(formatFor("sys/memory_used_bytes")(512)).toBe("512 B");
    expect(formatFor("sys/net_recv_bytes_per_s")(2.5 * 1024 ** 2)).toBe("2.5 MiB/s");
  });

  it("names percent, degrees and watts", () => {
    expect(formatFor("sys/cpu_percent")(42.123456)).toBe("42.123 %");
    expect(formatFor("sys/gpu.0.temperature_celsius")(71)).toBe("71 °C");
    expect(formatFor("sys/gpu.0.power_watts")(250.5)).toBe("250.5 W");
  });

  it("leaves other metrics, and missing or non-finite values, as plain numbers", () => {
    expect(formatFor("loss")(0.25)).toBe("0.25");
    expect(formatFor("sys/memory_used_bytes")(null)).toBe("–");
    expect(formatFor("sys/cpu_percent")(Number.NaN)).toBe("NaN");
  });
});
