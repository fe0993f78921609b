import { Worker } from 'node:worker_threads';

/**
 * Where a worker thread's code is: a bundle (esbuild for Electron, see scripts/build-electron.ts)
 * passes the built file; from source the worker's module next to its client is used.
 */
export type WorkerEntry = URL | string;

/**
 * Starts one of the main process's worker threads (the store, the pull). `bundled`: the built
 * file, which must not inherit the parent's `--import tsx` (that starts tsx's hooks thread in it,
 * ~200 ms per start). Otherwise `source` — the worker's .ts module, or the .js compiled next to it —
 * from source through worker-bootstrap.mjs, which registers tsx in the worker.
 */
export function startWorker(source: URL | null, bundled?: WorkerEntry): Worker {
  if (bundled !== undefined) return new Worker(bundled, { execArgv: [] });
  if (!source) throw new Error('A bundled build must pass the worker’s entry (its bundled file).');
  if (/\.[cm]?ts$/.test(source.pathname)) {
    return new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: { entry: source.href } });
  }
  return new Worker(source);
}

/** The source module `name` (without extension) next to the module at `here`: .ts under tsx and vitest, .js when compiled. */
export function besideModule(here: string | undefined, name: string): URL | null {
  if (!here) return null;
  return new URL(`./${name}${/\.[cm]?ts$/.test(new URL(here).pathname) ? '.ts' : '.js'}`, here);
}
