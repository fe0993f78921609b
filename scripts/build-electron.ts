/**
 * Bundles the Electron shell for `electron .` and for electron-builder:
 *   main/electron/index.ts → dist/main/electron/index.cjs (Node, electron and native modules external)
 *   preload/index.ts       → dist/preload/index.cjs (one self-contained file: a sandboxed preload
 *                            can require nothing but 'electron' and a few polyfills)
 * The renderer is built separately by Vite into dist/renderer.
 */
import { build, type BuildOptions } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// pdfkit reads its font metrics (data/*.afm) from its own folder at run time: it stays a module.
const nativeModules = ['pcsclite', 'better-sqlite3-multiple-ciphers', '@electric-sql/pglite', 'pg', 'fastify', 'pdfkit'];

const common: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

/** Builds both bundles under `outDir` (default dist/); returns their paths. */
export async function buildElectron(outDir = path.join(root, 'dist')): Promise<{ main: string; preload: string }> {
  const main = path.join(outDir, 'main', 'electron', 'index.cjs');
  const preload = path.join(outDir, 'preload', 'index.cjs');
  await Promise.all([
    build({
      ...common,
      entryPoints: ['main/electron/index.ts'],
      outfile: main,
      platform: 'node',
      external: ['electron', ...nativeModules],
    }),
    build({
      ...common,
      entryPoints: ['preload/index.ts'],
      outfile: preload,
      platform: 'node',
      external: ['electron'],
    }),
  ]);
  return { main, preload };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildElectron();
  console.log('Byggde dist/main/electron/index.cjs och dist/preload/index.cjs');
}
