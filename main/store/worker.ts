/**
 * The store worker: owns the one SQLite connection, so no SQL ever runs on the main thread.
 * Started by worker-client.ts; speaks protocol.ts.
 */
// First: the thread drops below the main thread's priority before it loads the rest.
import '../background-thread';
import { parentPort } from 'node:worker_threads';
import { AppFailure } from '#contract';
import { serializeError } from '../worker-errors';
import { openDatabase } from './connection';
import { PageInbox } from './page-inbox';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { SqlStore } from './sql-store';

const port = parentPort;
if (!port) throw new Error('main/store/worker.ts runs as a worker thread');

let store: SqlStore | null = null;
const send = (m: WorkerResponse) => port.postMessage(m);

port.on('message', (req: WorkerRequest) => {
  switch (req.kind) {
    case 'open': {
      try {
        const db = openDatabase(req.file, req.key);
        store = new SqlStore(db);
        send({ kind: 'opened', version: db.pragma('user_version', { simple: true }) as number });
      } catch (e) {
        send({ kind: 'open-failed', error: serializeError(e) });
      } finally {
        req.key?.fill(0);
      }
      return;
    }
    case 'call': {
      try {
        if (!store) throw new AppFailure('SESSION_LOCKED', 'the local store is not open');
        // Pull pages may be group-committed (SqlStore.applyPulledPage): anything else commits them
        // first, so a user's write never waits in, or rolls back with, a pull's transaction.
        if (req.method !== 'readPullPage' && req.method !== 'readFetchedPage' && req.method !== 'applyPulledPage') store.settle();
        const fn = store[req.method] as (...args: unknown[]) => unknown;
        const value = fn.apply(store, req.args);
        send({ kind: 'result', id: req.id, ok: true, value });
      } catch (e) {
        send({ kind: 'result', id: req.id, ok: false, error: serializeError(e) });
      }
      return;
    }
    case 'page-inbox': {
      // Sent after `open` and before any call that reads from it; a new one replaces the last.
      if (store) {
        store.pageInbox?.close();
        store.pageInbox = new PageInbox(req.port);
      } else req.port.close();
      return;
    }
    case 'close': {
      try {
        store?.pageInbox?.close();
        store?.close();
      } finally {
        store = null;
        send({ kind: 'closed' });
      }
      return;
    }
  }
});
