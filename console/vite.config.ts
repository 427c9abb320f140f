// Builds the administrator console into dist/console, served by the hub at /console/ (src/console/static.ts).
// Every asset is bundled from node_modules: nothing is fetched from the internet at run time.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [preact()],
  // The hub's CSP allows scripts from 'self' only: no inline modulepreload polyfill.
  build: { outDir: fileURLToPath(new URL('../dist/console', import.meta.url)), emptyOutDir: true, modulePreload: { polyfill: false } },
});
