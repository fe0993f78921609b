import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { AppFailure, type PullNext } from '#contract';
import { reviveError } from '../worker-errors';
import { besideModule, prestartWorker, takeWorker, type WorkerEntry } from '../worker-start';
import { storeClosed } from './errors';
import type { CallRequest, ResultOf, SerializedError, StoreMethod, WorkerMethods, WorkerRequest, WorkerResponse } from './protocol';
import { STORE_OPERATIONS, type LocalStore, type StoreOperation } from './types';

/**
 * How long `close` waits for the worker to finish the call in progress before terminating it.
 * Long, because terminating cannot interrupt SQLite's native call: a write in progress commits
 * anyway, and terminating then only loses its answer (the caller would be told "not done" of a
 * write that is in the file — seen on a loaded machine with 2 s). The bound is for a hung worker.
 */
const CLOSE_GRACE_MS = 30_000;

export type { WorkerEntry };

const workerSource = () => besideModule(typeof import.meta.url === 'string' ? import.meta.url : undefined, 'worker');

/** Boots a store worker before it is needed (see prestartWorker): the next open takes it. */
export function prestartStoreWorker(entry?: WorkerEntry): void {
  prestartWorker('store', workerSource(), entry);
}

export const revive = (e: SerializedError): AppFailure => reviveError(e, 'local store');

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** Every operation but the ones WorkerStore writes itself: forwarded as they are (the constructor). */
type Forwarded = Omit<LocalStore, 'readPullPage' | 'openPageInbox' | 'read' | 'write' | 'close'>;

/**
 * LocalStore over the worker: each call is one message, answered by one message. Every operation
 * of STORE_OPERATIONS (types.ts) is forwarded by its name; none is written here by hand but the
 * few that do more than forward (a transferred buffer, a port, the kind's reads, closing).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- the forwarders are made in the constructor, from STORE_OPERATIONS
export interface WorkerStore extends Forwarded {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class WorkerStore implements LocalStore {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private onClosed: (() => void) | null = null;
  private exited = false;

  private constructor(private readonly worker: Worker) {
    for (const name of Object.keys(STORE_OPERATIONS) as StoreOperation[]) {
      if (!(name in this)) Object.defineProperty(this, name, { value: (...args: unknown[]) => this.call(name, ...(args as never)) });
    }
    worker.on('message', (m: WorkerResponse) => this.onMessage(m));
    worker.on('error', (e) => this.failAll(new AppFailure('INTERNAL', `the local store's worker failed: ${e.message}`)));
    worker.on('exit', () => {
      this.exited = true;
      this.failAll(storeClosed());
      this.onClosed?.();
    });
  }

  /** Starts a worker and opens `file` in it; `key` (32 bytes, or null for a plain file) is wiped here once handed over. */
  static async open(file: string, key: Uint8Array | null, entry?: WorkerEntry): Promise<WorkerStore> {
    let transfer: Uint8Array | null = null;
    if (key) {
      transfer = new Uint8Array(32);
      transfer.set(key);
      key.fill(0);
    }
    const worker = takeWorker('store', workerSource(), entry);
    const opened = new Promise<void>((resolve, reject) => {
      const onMessage = (m: WorkerResponse) => {
        if (m.kind === 'opened') {
          cleanup();
          resolve();
        } else if (m.kind === 'open-failed') {
          cleanup();
          reject(m.error);
        }
      };
      const onError = (e: Error) => {
        cleanup();
        reject({ name: e.name, message: e.message } satisfies SerializedError);
      };
      const onExit = () => {
        cleanup();
        reject({ name: 'Error', message: 'the store worker exited while opening' } satisfies SerializedError);
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    try {
      const req: WorkerRequest = { kind: 'open', file, key: transfer };
      worker.postMessage(req, transfer ? [transfer.buffer as ArrayBuffer] : []);
      await opened;
    } catch (e) {
      if (transfer?.byteLength) transfer.fill(0); // only if the transfer never happened (a transferred buffer is detached)
      await worker.terminate();
      throw e;
    }
    worker.unref();
    return new WorkerStore(worker);
  }

  private onMessage(m: WorkerResponse): void {
    if (m.kind === 'closed') {
      this.onClosed?.();
      return;
    }
    if (m.kind !== 'result') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(revive(m.error));
  }

  private failAll(e: unknown): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  /** One call into the worker. Refused with SESSION_LOCKED once close has begun. */
  call<M extends StoreMethod>(method: M, ...args: Parameters<WorkerMethods[M]>): Promise<ResultOf<M>> {
    return this.callTransferring([], method, ...args);
  }

  /** A call whose `transfer` buffers move to the worker (detached here) instead of being copied. */
  private callTransferring<M extends StoreMethod>(transfer: ArrayBuffer[], method: M, ...args: Parameters<WorkerMethods[M]>): Promise<ResultOf<M>> {
    if (this.closing || this.exited) return Promise.reject(storeClosed());
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.size === 1) this.worker.ref(); // an answer is awaited: keep the process alive for it
      this.worker.postMessage({ kind: 'call', id, method, args } as CallRequest, transfer);
    });
  }

  /** The page's buffer is transferred when the bytes span all of it (zero copy; `bytes` is unusable afterwards), else copied. */
  readPullPage = (bytes: Uint8Array, expect?: PullNext) =>
    this.callTransferring(
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [],
      'readPullPage',
      bytes,
      expect,
    );

  openPageInbox(): MessagePort {
    if (this.closing || this.exited) throw storeClosed();
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ kind: 'page-inbox', port: port2 } satisfies WorkerRequest, [port2]);
    return port1;
  }

  read: LocalStore['read'] = (kind, method, ...args) => this.call('read', kind, method as string, ...(args as unknown[])) as never;
  write: LocalStore['write'] = (kind, method, ...args) => this.call('write', kind, method as string, ...(args as unknown[])) as never;
  /** Benchmarks only: loads a big batch of changes in one transaction. */
  bulkLoad = (...a: Parameters<WorkerMethods['bulkLoad']>) => this.call('bulkLoad', ...a);

  /**
   * Closes the database (after the calls already sent), terminates the worker — with it goes the
   * key schedule SQLite holds — and refuses every later call. Idempotent; concurrent calls share
   * one close. A call in progress gets `CLOSE_GRACE_MS` to finish before the worker is terminated.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.exited) {
        this.worker.ref();
        const closed = new Promise<void>((resolve) => {
          this.onClosed = resolve;
        });
        this.worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
        clearTimeout(timer);
        await this.worker.terminate();
      }
      this.failAll(storeClosed());
    })();
    return this.closing;
  }
}
