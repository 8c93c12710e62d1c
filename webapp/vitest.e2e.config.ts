import { defineConfig } from "vitest/config";

// End-to-end: a real server ($TRACKSTACK_JAR), the built webapp and Debian's Chromium; one file at a time.
// Polls wait up to 15 s: a busy shared machine can take seconds to answer what takes milliseconds alone.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false,
    expect: { poll: { timeout: 15_000 } },
  },
});
