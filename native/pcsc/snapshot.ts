import { loadAddon, SCARD, type RawReader } from './binding';
import { mapPcscError } from './errors';

export interface ReaderState {
  present: boolean;
  atr?: Uint8Array;
  state: number;
}

export function readerState(state: number, atr?: Buffer): ReaderState {
  const present = (state & SCARD.STATE_PRESENT) !== 0 && (state & SCARD.STATE_MUTE) === 0;
  return present && atr && atr.length > 0 ? { present, atr: new Uint8Array(atr), state } : { present, state };
}

/**
 * A reader object with its status watcher stopped after the first answer: gives the current
 * state and ATR (SCardGetStatusChange from UNAWARE returns at once) and is then safe to use for
 * connect/transmit — its status thread no longer competes for the addon's per-reader mutex, so a
 * long transmit never blocks the event loop through a status callback.
 */
export function openReader(name: string, timeoutMs = 2000): Promise<{ reader: RawReader; state: ReaderState }> {
  const { CardReader } = loadAddon();
  const reader = new CardReader(name);
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      setImmediate(() => reader.close());
      reject(mapPcscError(new Error('status timeout'), 'SCardGetStatusChange'));
    }, timeoutMs);
    reader.on('error', () => undefined);
    reader.get_status((err, state, atr) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Never close from inside the status callback: the addon holds the reader's mutex there.
      setImmediate(() => {
        reader.close();
        if (err) reject(mapPcscError(err, 'SCardGetStatusChange'));
        else resolve({ reader, state: readerState(state, atr) });
      });
    });
  });
}
