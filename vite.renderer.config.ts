import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is built once and served by both hosts: Electron's app:// protocol and the browser
// host's http on 127.0.0.1. Relative asset paths work under both.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    // No inline scripts or styles: the CSP allows only 'self'.
    assetsInlineLimit: 0,
  },
});
