import { defineConfig } from "vite";

// Built straight into the jar's classpath:static/, which the backend serves at /.
export default defineConfig({
  // ECharts, tree-shaken to the pieces in src/charts/echarts.ts, is most of the ~650 kB (~220 kB gzipped).
  build: { outDir: "target/classes/static", emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { "/graphql": { target: "http://localhost:8080", ws: true } } },
});
