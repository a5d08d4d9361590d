import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The gateway serves these pages from its class path folder demo/ at /demo/ (docs/browser.md), so
// the build writes straight into the jar's classes. Vite 8 transforms JSX itself (Oxc, React's
// automatic runtime), so no React plugin is needed.
// `npm run dev` serves the pages with Vite and passes the gateway's routes to a running gateway
// (GATEWAY_URL, default http://localhost:8080).
const gateway = process.env.GATEWAY_URL ?? 'http://localhost:8080';

export default defineConfig({
  base: '/demo/',
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: true },
      '/demo/config.json': { target: gateway, changeOrigin: true },
    },
  },
  build: {
    outDir: resolve(import.meta.dirname, '../target/classes/demo'),
    emptyOutDir: true,
    // livekit-client (the WebRTC client every call needs) is about 550 kB minified on its own.
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        core: resolve(import.meta.dirname, 'core.html'),
        'connect-url': resolve(import.meta.dirname, 'connect-url.html'),
      },
    },
  },
});
