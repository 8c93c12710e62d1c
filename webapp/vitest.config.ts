import { defineConfig } from "vitest/config";

// Unit tests only; the end-to-end tests (e2e/) need a server and run with `npm run e2e`.
export default defineConfig({ test: { include: ["src/**/*.test.ts", "licenses.test.ts"] } });
