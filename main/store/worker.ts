/**
 * The store worker: owns the one SQLite connection, so no SQL ever runs on the main thread.
 * Started by worker-client.ts; speaks protocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { AppFailure } from '../../contract';
import type { SerializedError, WorkerRequest, WorkerResponse } from './protocol';
import { openDatabase, SqlStore } from './sql-store';

const port = parentPort;
if (!port) throw new Error('main/store/worker.ts runs as a worker thread');

let store: SqlStore | null = null;
const send = (m: WorkerResponse) => port.postMessage(m);

function serialize(e: unknown): SerializedError {
  if (e instanceof AppFailure) {
    return { name: 'AppFailure', message: e.message, code: e.code, ...(e.details ? { details: e.details } : {}) };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const sqliteCode = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof sqliteCode === 'string' ? { sqliteCode } : {}) };
}

port.on('message', (req: WorkerRequest) => {
  switch (req.kind) {
    case 'open': {
      try {
        const db = openDatabase(req.file, req.key);
        store = new SqlStore(db);
        send({ kind: 'opened', version: db.pragma('user_version', { simple: true }) as number });
      } catch (e) {
        send({ kind: 'open-failed', error: serialize(e) });
      } finally {
        req.key?.fill(0);
      }
      return;
    }
    case 'call': {
      try {
        if (!store) throw new AppFailure('SESSION_LOCKED', 'Den lokala databasen är inte öppen');
        // Pull pages may be group-committed (SqlStore.applyPulledPage): anything else commits them
        // first, so a user's write never waits in, or rolls back with, a pull's transaction.
        if (req.method !== 'readPullPage' && req.method !== 'applyPulledPage') store.settle();
        const fn = store[req.method] as (...args: unknown[]) => unknown;
        const value = fn.apply(store, req.args);
        send({ kind: 'result', id: req.id, ok: true, value });
      } catch (e) {
        send({ kind: 'result', id: req.id, ok: false, error: serialize(e) });
      }
      return;
    }
    case 'close': {
      try {
        store?.close();
      } finally {
        store = null;
        send({ kind: 'closed' });
      }
      return;
    }
  }
});
