import { defineConfig } from "vitest/config";

// End-to-end: a real server ($TRACKSTACK_JAR), the built webapp and Debian's Chromium; one file at a time.
export default defineConfig({
  test: { include: ["e2e/**/*.e2e.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false },
});
