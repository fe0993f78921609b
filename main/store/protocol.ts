import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../worker-errors';
import type { SqlStore } from './sql-store';
import type { SyncLocalStore } from './types';

export type { SerializedError };

/**
 * The typed protocol between the main thread and the store worker. Requests are answered in
 * order, one at a time (the worker is single-threaded); `close` is answered after every call
 * sent before it.
 */
export type WorkerMethods = SyncLocalStore & Pick<SqlStore, 'bulkLoad'>;
export type StoreMethod = keyof WorkerMethods;

export type CallRequest = {
  [M in StoreMethod]: { kind: 'call'; id: number; method: M; args: Parameters<WorkerMethods[M]> };
}[StoreMethod];

export type WorkerRequest =
  /** `key` is transferred (its buffer detached from the sender) and wiped by the worker after use; null = plain file (benchmarks). */
  | { kind: 'open'; file: string; key: Uint8Array | null }
  /** The store's end of a page channel (LocalStore.openPageInbox), transferred. */
  | { kind: 'page-inbox'; port: MessagePort }
  | CallRequest
  | { kind: 'close' };

export type WorkerResponse =
  | { kind: 'opened'; version: number }
  | { kind: 'open-failed'; error: SerializedError }
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: SerializedError }
  | { kind: 'closed' };

export type ResultOf<M extends StoreMethod> = ReturnType<WorkerMethods[M]>;
