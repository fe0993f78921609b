import { Worker } from 'node:worker_threads';
import { AppFailure, type ErrorCode } from '#contract';
import type { VpcdCardOptions } from './vpcd-client';

/** A software card in a vpcd reader, as the one who inserted it sees it. */
export interface InsertedCard {
  /** Removes the card (closes its vpcd connection); resolves once it is out. */
  close(): Promise<void>;
  /** Resolves when the card is out (closed by us or by pcscd). */
  readonly ended: Promise<void>;
}

/**
 * Loads a card file and inserts it into the vpcd reader, the software card running in a worker
 * thread of its own. It must not share a thread with a PC/SC client of the same process: pcsclite's
 * `CardReader.close()` joins the addon's status thread, which may be waiting on pcscd, which may be
 * waiting on this card's answer — on the same, now blocked, thread that would be a deadlock
 * (seen in the e2e runs under load). In its own thread the card answers whatever the caller's
 * thread does. The retry counters are written back to the file from that thread.
 */
export function insertCardFile(path: string, opts: VpcdCardOptions = {}): Promise<InsertedCard> {
  const worker = new Worker(new URL('./vpcd-worker-bootstrap.mjs', import.meta.url), { workerData: { path, opts } });
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  worker.once('exit', () => resolveEnded());
  return new Promise((resolve, reject) => {
    worker.once('error', (e) => {
      reject(e);
      resolveEnded();
    });
    worker.on('message', (m: { inserted?: true; failed?: string; code?: ErrorCode; ended?: true }) => {
      if (m.failed !== undefined) reject(m.code ? new AppFailure(m.code, m.failed) : new Error(m.failed));
      else if (m.ended) resolveEnded();
      else if (m.inserted)
        resolve({
          ended,
          close: () => {
            worker.postMessage('close');
            return ended;
          },
        });
    });
  });
}
