const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Three significant digits, whole numbers from 100 up (1023 KiB stays 1023, not "1.02e3"). */
const rounded = (value: number) => (value >= 100 ? Math.round(value) : Number(value.toPrecision(3)));

/** A size in binary units as the API's limits state them: "512 B", "1.5 KiB", "64 GiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  // Rounding can carry into the next unit: 1023.9 KiB is "1 MiB", not "1024 KiB".
  while (unit < UNITS.length - 1 && rounded(value) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${rounded(value)} ${UNITS[unit]}`;
}

/** The exact count, for a tooltip beside the rounded size. */
export const exactBytes = (bytes: number) => `${bytes.toLocaleString("en-US")} bytes`;

/** A SHA-256 shortened for a table: enough to tell versions apart; the full digest is in its tooltip. */
export const shortDigest = (sha256: string) => sha256.slice(0, 12);
