import { AppFailure } from '#contract';
import type { CardTransport } from '../apdu/transport';
import { MAX_RESPONSE_APDU } from '../apdu/transport';
import type { CardReaders, ConnectedCard, ReaderInfo, WithCardOptions } from '../readers';
import { SCARD, type RawReader } from './binding';
import { mapPcscError, pcscCode } from './errors';
import { PcscMonitor, type PcscMonitorOptions } from './monitor';
import { openReader } from './snapshot';

export interface PcscReadersOptions extends PcscMonitorOptions {
  /** Upper bound for one APDU exchange; a card that never answers fails with CARD_ERROR. */
  transmitTimeoutMs?: number;
  /** How long to retry SHARING_VIOLATION (another program briefly holding the card). */
  sharingRetryMs?: number;
}

const SHARING_VIOLATION = 0x8010000b;

/**
 * The PC/SC reader stack over pcsclite: reader list, card events, and `withCard` — connect for
 * one operation only (shared or exclusive), then disconnect leaving or resetting the card.
 * Operations on one reader run one at a time.
 */
export class PcscReaders implements CardReaders {
  readonly monitor: PcscMonitor;
  private readonly queues = new Map<string, Promise<unknown>>();
  /** One connection object per reader, reused: each holds a PC/SC context (a socket to pcscd) for its lifetime. */
  private readonly conns = new Map<string, RawReader>();
  private readonly transmitTimeoutMs: number;
  private readonly sharingRetryMs: number;

  constructor(opts: PcscReadersOptions = {}) {
    this.monitor = new PcscMonitor(opts);
    this.transmitTimeoutMs = opts.transmitTimeoutMs ?? 30_000;
    this.sharingRetryMs = opts.sharingRetryMs ?? 1_000;
  }

  async listReaders(): Promise<ReaderInfo[]> {
    await this.monitor.ready();
    return this.monitor.readers();
  }

  withCard<T>(reader: string, fn: (card: ConnectedCard) => Promise<T>, opts: WithCardOptions = {}): Promise<T> {
    const prev = this.queues.get(reader) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.run(reader, fn, opts));
    const settled = run.catch(() => undefined);
    this.queues.set(reader, settled);
    void settled.then(() => {
      if (this.queues.get(reader) === settled) this.queues.delete(reader);
    });
    return run;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    this.conns.clear();
    await this.monitor.close();
  }

  private async run<T>(name: string, fn: (card: ConnectedCard) => Promise<T>, opts: WithCardOptions): Promise<T> {
    await this.monitor.ready();
    if (!this.monitor.has(name)) throw new AppFailure('NO_READER', 'Kortläsaren finns inte.', { reader: name });
    // The current state and ATR, read now rather than trusted from the last event.
    const { reader: fresh, state } = await openReader(name);
    if (!state.present) throw new AppFailure('NO_CARD', 'Inget kort i läsaren.', { reader: name });
    const share = opts.share === 'shared' ? SCARD.SHARE_SHARED : SCARD.SHARE_EXCLUSIVE;
    let reader = this.conns.get(name) ?? fresh;
    let protocol: number;
    try {
      protocol = await this.connect(reader, share);
    } catch (e) {
      const stale = reader !== fresh && e instanceof AppFailure && !['SHARING_VIOLATION', 'NO_CARD', 'CARD_REMOVED'].includes(e.code);
      this.conns.delete(name);
      if (!stale) throw e;
      // The cached context died with an earlier pcscd: connect once more on a fresh one.
      reader = fresh;
      protocol = await this.connect(reader, share);
    }
    this.conns.set(name, reader);
    let removedDuring = false;
    const transport: CardTransport = {
      transmit: (apdu) =>
        this.transmit(reader, apdu, protocol).catch(async (e: unknown) => {
          const failure = mapPcscError(e, 'SCardTransmit');
          // Communication errors right after a removal are reported as the removal.
          if (failure.code === 'CARD_ERROR' || failure.code === 'CARD_RESET') {
            if (await this.confirmRemoved(name)) {
              removedDuring = true;
              throw new AppFailure('CARD_REMOVED', 'Kortet togs ut.', { reader: name });
            }
          }
          if (failure.code === 'CARD_REMOVED') removedDuring = true;
          throw failure;
        }),
    };
    try {
      return await fn({ reader: name, ...(state.atr ? { atr: state.atr } : {}), transport });
    } finally {
      const disposition = opts.disposition === 'reset' ? SCARD.RESET_CARD : SCARD.LEAVE_CARD;
      await this.disconnect(reader, removedDuring ? SCARD.LEAVE_CARD : disposition).catch(() => {
        // A handle that did not disconnect is not reused.
        if (this.conns.get(name) === reader) this.conns.delete(name);
      });
    }
  }

  /** After a communication error: is the card gone? pcscd may need a moment to notice. */
  private async confirmRemoved(name: string, withinMs = 1000): Promise<boolean> {
    const end = Date.now() + withinMs;
    for (;;) {
      const now = await openReader(name).catch(() => undefined);
      if (!now?.state.present) return true;
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async connect(reader: RawReader, share: number): Promise<number> {
    const deadline = Date.now() + this.sharingRetryMs;
    for (;;) {
      try {
        return await new Promise<number>((resolve, reject) =>
          reader._connect(share, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1, (err, protocol) => (err ? reject(err) : resolve(protocol))),
        );
      } catch (e) {
        if (pcscCode(e) === SHARING_VIOLATION && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        throw mapPcscError(e, 'SCardConnect');
      }
    }
  }

  private transmit(reader: RawReader, apdu: Uint8Array, protocol: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AppFailure('CARD_ERROR', 'Kortet svarade inte i tid.', { timeoutMs: this.transmitTimeoutMs })),
        this.transmitTimeoutMs,
      );
      reader._transmit(Buffer.from(apdu), MAX_RESPONSE_APDU, protocol, (err, data) => {
        clearTimeout(timer);
        if (err) reject(err);
        // vpcd (and some drivers) answer an empty response when the card vanished mid-command.
        else if (data.length < 2) reject(new AppFailure('CARD_ERROR', 'Kortet svarade inte.', { length: data.length }));
        else resolve(new Uint8Array(data));
      });
    });
  }

  private disconnect(reader: RawReader, disposition: number): Promise<void> {
    return new Promise((resolve, reject) => reader._disconnect(disposition, (err) => (err ? reject(mapPcscError(err, 'SCardDisconnect')) : resolve())));
  }
}
