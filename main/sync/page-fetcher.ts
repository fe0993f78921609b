import type { MessagePort, Worker } from 'node:worker_threads';
import { AppFailure, type PullNext, type PullRequest } from '#contract';
import { reviveError, type SerializedError } from '../worker-errors';
import { besideModule, prestartWorker, takeWorker, type WorkerEntry } from '../worker-start';

/** The main thread → pull worker messages. */
export type PullWorkerRequest =
  /** The store's page inbox (LocalStore.openPageInbox), transferred. */
  | { kind: 'inbox'; port: MessagePort }
  | { kind: 'fetch'; ticket: number; baseUrl: string; token: string; body: PullRequest; headers?: Record<string, string> }
  | { kind: 'abort'; tickets: number[] }
  | { kind: 'close' };

/** The pull worker → main thread messages: a page is in the store's inbox, or its fetch failed. */
export type PullWorkerResponse =
  | { kind: 'fetched'; ticket: number; next: PullNext | null }
  | { kind: 'failed'; ticket: number; error: SerializedError };

/** A page waiting in the store's inbox: read it with LocalStore.readFetchedPage(ticket, next). */
export interface FetchedPage {
  ticket: number;
  /** The page's `x-sync-next` header; null when the server sent none. */
  next: PullNext | null;
}

export interface PageRequest {
  baseUrl: string;
  token: string;
  body: PullRequest;
  headers?: Record<string, string>;
}

type Pending = { resolve: (p: FetchedPage) => void; reject: (e: unknown) => void };

const workerSource = () => besideModule(typeof import.meta.url === 'string' ? import.meta.url : undefined, 'pull-worker');

/** Boots a pull worker before the first pull needs it (see prestartWorker). */
export function prestartPullWorker(entry?: WorkerEntry): void {
  prestartWorker('pull', workerSource(), entry);
}

/**
 * Fetches pull pages in the pull worker (pull-worker.ts), which delivers their bytes to the store
 * worker's page inbox: the main thread sees tickets and headers, never a page's megabyte.
 */
export class PageFetcher {
  private readonly pending = new Map<number, Pending>();
  private nextTicket = 1;
  private closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: PullWorkerResponse) => {
      const p = this.pending.get(m.ticket);
      if (!p) return;
      this.settle(m.ticket);
      if (m.kind === 'fetched') p.resolve({ ticket: m.ticket, next: m.next });
      else p.reject(reviveError(m.error, 'pull from the server'));
    });
    const fail = (e: AppFailure) => {
      const all = [...this.pending.values()];
      this.pending.clear();
      for (const p of all) p.reject(e);
    };
    worker.on('error', (e) => fail(new AppFailure('INTERNAL', `the pull worker failed: ${e.message}`)));
    worker.on('exit', () => {
      this.closed = true;
      fail(new AppFailure('SESSION_LOCKED', 'the pull is closed'));
    });
    worker.unref();
  }

  /** Starts the pull worker and connects it to `inbox` (from LocalStore.openPageInbox). */
  static start(inbox: MessagePort, entry?: WorkerEntry): PageFetcher {
    const worker = takeWorker('pull', workerSource(), entry);
    worker.postMessage({ kind: 'inbox', port: inbox } satisfies PullWorkerRequest, [inbox]);
    return new PageFetcher(worker);
  }

  /** Fetches one page; resolves once its bytes are in the store's inbox. `signal` aborts the request. */
  fetch(req: PageRequest, signal?: AbortSignal): Promise<FetchedPage> {
    if (this.closed) return Promise.reject(new AppFailure('SESSION_LOCKED', 'the pull is closed'));
    if (signal?.aborted) return Promise.reject(new AppFailure('SERVER_UNREACHABLE', 'the pull was aborted'));
    const ticket = this.nextTicket++;
    return new Promise<FetchedPage>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(ticket)) return;
        this.settle(ticket);
        this.worker.postMessage({ kind: 'abort', tickets: [ticket] } satisfies PullWorkerRequest);
        reject(new AppFailure('SERVER_UNREACHABLE', 'the pull was aborted'));
      };
      // The run's signal outlives its many pages: each page's listener goes when the page is settled.
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(ticket, {
        resolve: (p) => {
          done();
          resolve(p);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      if (this.pending.size === 1) this.worker.ref(); // an answer is awaited
      signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.postMessage({ kind: 'fetch', ticket, ...req } satisfies PullWorkerRequest);
    });
  }

  private settle(ticket: number): void {
    this.pending.delete(ticket);
    if (this.pending.size === 0) this.worker.unref();
  }

  /** Aborts what is in flight and ends the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage({ kind: 'close' } satisfies PullWorkerRequest);
    await this.worker.terminate();
  }
}
