import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Plain Vite, no framework plugin: oxc compiles the JSX for Preact. Built into ./dist, served by the
// daemon at /console/ (apps/cave-daemon/src/bootstrap/console.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle; no inline scripts or styles (the CSP forbids them).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
