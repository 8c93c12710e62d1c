import { defineConfig } from "vite";
import { thirdPartyNotices } from "./licenses";

const outDir = "target/classes/static";

// Built straight into the jar's classpath:static/, which the backend serves at / and /graphiql.
export default defineConfig({
  plugins: [thirdPartyNotices(`${outDir}/THIRD-PARTY-NOTICES.txt`)],
  build: {
    outDir,
    emptyOutDir: true,
    // Two pages: the dashboard (index.html) and GraphiQL, whose chunks (React, monaco-editor) only graphiql.html loads.
    rolldownOptions: {
      input: { index: "index.html", graphiql: "graphiql.html" },
      onwarn(warning, warn) {
        // framer-motion's "use client" (for React server components) means nothing in a client-only bundle.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
    // The dashboard's first chunk is ~700 kB (~230 kB gzipped), mostly ECharts tree-shaken to src/charts/echarts.ts;
    // every view but the compare view is a chunk of its own (src/main.ts), as are the artifact lineage graph's ECharts
    // pieces (63 kB, src/charts/graphChart.ts). GraphiQL's monaco-editor chunk is 2.8 MB (~700 kB gzipped).
    chunkSizeWarningLimit: 3000,
  },
  server: { proxy: { "/graphql": { target: "http://localhost:8080", ws: true } } },
});
