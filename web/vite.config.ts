// Builds web/dist, which crates/server embeds. Output names carry content hashes; the build is
// deterministic for a given package-lock.json, so CI can rebuild and diff it.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1100,
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        manualChunks: { maplibre: ["maplibre-gl"], uplot: ["uplot"] },
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
