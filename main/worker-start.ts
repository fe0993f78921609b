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

/** Workers started ahead of need, by kind (the store's, the pull's): at most one each. */
const spares = new Map<string, { entry: string; worker: Worker; drop: () => void }>();

/**
 * Starts a worker of `kind` now, to be taken by the next takeWorker of the same kind and entry:
 * a thread boots and loads its bundle in ~0.1 s (the store's, with SQLite's native module), time
 * that would otherwise fall between the PIN and the first data. A spare holds no file and no key;
 * it does not keep the process alive, and one that dies is forgotten.
 */
export function prestartWorker(kind: string, source: URL | null, bundled?: WorkerEntry): void {
  if (spares.has(kind)) return;
  const worker = startWorker(source, bundled);
  worker.unref();
  const drop = () => {
    if (spares.get(kind)?.worker === worker) spares.delete(kind);
  };
  worker.once('error', drop);
  worker.once('exit', drop);
  spares.set(kind, { entry: String(bundled ?? source), worker, drop });
}

/** Whether a live spare of `kind` is waiting (one that ended has been forgotten). */
export function hasSpare(kind: string): boolean {
  return spares.has(kind);
}

/** The spare of `kind` if it was started for the same entry and is alive, else a new worker. */
export function takeWorker(kind: string, source: URL | null, bundled?: WorkerEntry): Worker {
  const spare = spares.get(kind);
  if (spare && spare.entry === String(bundled ?? source)) {
    spares.delete(kind);
    spare.worker.off('error', spare.drop);
    spare.worker.off('exit', spare.drop);
    spare.worker.ref(); // as a new worker is: the taker decides when it may be let go
    return spare.worker;
  }
  return startWorker(source, bundled);
}
