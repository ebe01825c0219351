// The operators' dashboard (ui/) is built into dist-ui/ and served by `yojin serve` under /ui/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./ui', import.meta.url)),
  base: '/ui/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist-ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
});
