import { defineConfig } from "vite";

// Built straight into the jar's classpath:static/, which the backend serves at /.
export default defineConfig({
  build: { outDir: "target/classes/static", emptyOutDir: true },
  server: { proxy: { "/graphql": "http://localhost:8080" } },
});
