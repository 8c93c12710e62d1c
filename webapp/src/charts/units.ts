import { formatNumber } from "../ui/dom";

/**
 * Units the dashboard knows from a metric name's suffix (`sys/memory_used_bytes`, `sys/gpu.0.power_watts`, …, as the
 * Python client's system metrics name them): values, axis labels and the tooltip show in that unit.
 */
export type Format = (value: number | null | undefined) => string;

const BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

function bytes(value: number): string {
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < BINARY.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${Number(scaled.toPrecision(4))} ${BINARY[unit]}`;
}

const suffixed = (format: (value: number) => string): Format => (value) =>
  value === null || value === undefined || !Number.isFinite(value) ? formatNumber(value) : format(value);

const UNITS: [string, Format][] = [
  ["_bytes_per_s", suffixed((v) => `${bytes(v)}/s`)],
  ["_bytes", suffixed(bytes)],
  ["_percent", suffixed((v) => `${formatNumber(v)} %`)],
  ["_celsius", suffixed((v) => `${formatNumber(v)} °C`)],
  ["_watts", suffixed((v) => `${formatNumber(v)} W`)],
];

/** How to show the values of this metric: in its unit when its name ends in one, else as plain numbers. */
export const formatFor = (metric: string): Format => UNITS.find(([suffix]) => metric.endsWith(suffix))?.[1] ?? formatNumber;
