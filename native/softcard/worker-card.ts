import { Worker } from 'node:worker_threads';
import { AppFailure, type ErrorCode } from '#contract';
import type { CardFile } from './card-file';
import type { VpcdCardOptions } from './vpcd-client';

/** One command the card answered, as the card saw it (times in ms since the epoch, sub-ms precise). */
export interface CardCommand {
  /** The instruction byte (INS). */
  ins: number;
  /** The command APDU's length in bytes. */
  length: number;
  /** The answer's status word ('9000', '63C2', …); undefined when the card was reset or powered off while working. */
  sw: string | undefined;
  /** When the command reached the card and when its answer left it. */
  inAt: number;
  outAt: number;
}

/** A software card in a vpcd reader, as the one who inserted it sees it. */
export interface InsertedCard {
  /** Removes the card (closes its vpcd connection); resolves once it is out. */
  close(): Promise<void>;
  /** Resolves when the card is out (closed by us or by pcscd). */
  readonly ended: Promise<void>;
  /**
   * The commands the card has answered since it went in, in order (empty unless inserted with
   * `log: true`). Asked of the card's thread, which logs a command before it sends the answer: every
   * command whose answer the caller has seen is in the list. After the card is out, its last list.
   */
  commands(): Promise<CardCommand[]>;
}

export interface InsertCardOptions extends VpcdCardOptions {
  /** Keep a log of the card's commands (tests and benches; see InsertedCard.commands). */
  log?: boolean;
}

/** What the worker (./vpcd-worker.ts) is given: a card file on disk (counters written back) or one in memory. */
export type WorkerCardSource = { path: string } | { file: CardFile };
export type ToWorker = 'close' | { commands: number };
export type FromWorker =
  | { inserted: true }
  | { failed: string; code?: ErrorCode }
  | { commands: number; list: CardCommand[] }
  | { ended: true; list: CardCommand[] };

/**
 * Loads a card file and inserts it into the vpcd reader, the software card running in a worker
 * thread of its own. It must not share a thread with a PC/SC client of the same process: pcsclite's
 * `CardReader.close()` joins the addon's status thread, which may be waiting on pcscd, which may be
 * waiting on this card's answer — on the same, now blocked, thread that would be a deadlock
 * (seen in the e2e runs under load). In its own thread the card answers whatever the caller's
 * thread does. The retry counters are written back to the file from that thread.
 */
export function insertCardFile(path: string, opts: InsertCardOptions = {}): Promise<InsertedCard> {
  return startCard({ path }, opts);
}

/**
 * Inserts a card file held in memory (a test's fresh card), in a worker thread of its own like
 * `insertCardFile`. Its retry counters live only as long as the card is in.
 */
export function insertCard(file: CardFile, opts: InsertCardOptions = {}): Promise<InsertedCard> {
  return startCard({ file }, opts);
}

function startCard(source: WorkerCardSource, opts: InsertCardOptions): Promise<InsertedCard> {
  const { log = false, ...vpcd } = opts;
  const worker = new Worker(new URL('./vpcd-worker-bootstrap.mjs', import.meta.url), { workerData: { source, opts: vpcd, log } });
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  let last: CardCommand[] = [];
  let out = false;
  const asked = new Map<number, (list: CardCommand[]) => void>();
  let nextAsk = 0;
  const end = (): void => {
    out = true;
    for (const answer of asked.values()) answer(last);
    asked.clear();
    resolveEnded();
  };
  worker.once('exit', end);
  return new Promise((resolve, reject) => {
    worker.once('error', (e) => {
      reject(e);
      end();
    });
    worker.on('message', (m: FromWorker) => {
      if ('failed' in m) reject(m.code ? new AppFailure(m.code, m.failed) : new Error(m.failed));
      else if ('ended' in m) {
        last = m.list;
        end();
      } else if ('commands' in m) {
        asked.get(m.commands)?.(m.list);
        asked.delete(m.commands);
      } else
        resolve({
          ended,
          close: () => {
            if (!out) worker.postMessage('close' satisfies ToWorker);
            return ended;
          },
          commands: () =>
            out
              ? Promise.resolve(last)
              : new Promise((answer) => {
                  const id = nextAsk++;
                  asked.set(id, answer);
                  worker.postMessage({ commands: id } satisfies ToWorker);
                }),
        });
    });
  });
}
