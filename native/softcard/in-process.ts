import { AppFailure } from '#contract';
import { hex } from '../apdu/command';
import type { CardTransport } from '../apdu/transport';
import type { CardEvent, CardEventListener, CardMonitor, CardReaders, ConnectedCard, ReaderInfo, WithCardOptions } from '../readers';
import type { SoftCard } from './soft-card';

/**
 * DEMO ONLY. The software card without PC/SC: for `npm start` on machines without pcscd/vpcd
 * (a Windows demo). It bypasses the reader stack entirely, so it proves nothing about PC/SC;
 * tests of the card stack use the vpcd reader. Only the demo CA may trust certificates on
 * software cards.
 */
export class InProcessCardTransport implements CardTransport {
  constructor(
    private readonly card: SoftCard,
    private readonly isInserted: () => boolean,
  ) {}

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (!this.isInserted()) throw new AppFailure('CARD_REMOVED', 'Kortet togs ut.');
    const res = await this.card.process(apdu);
    if (!res || !this.isInserted()) throw new AppFailure('CARD_REMOVED', 'Kortet togs ut.');
    return res;
  }
}

/** DEMO ONLY: one fake reader holding at most one software card, with the same events as PC/SC. */
export class DemoInProcessReader implements CardReaders, CardMonitor {
  readonly monitor: CardMonitor = this;
  private card: SoftCard | undefined;
  private readonly listeners = new Set<CardEventListener>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly readerName = 'Demo-läsare (in-process, DEMO ONLY)') {}

  insert(card: SoftCard): void {
    if (this.card) this.remove();
    this.card = card;
    card.powerOn();
    this.emit({ type: 'card-inserted', reader: this.readerName, atrHex: hex(card.atr) });
  }

  remove(): void {
    if (!this.card) return;
    this.card.powerOff();
    this.card = undefined;
    this.emit({ type: 'card-removed', reader: this.readerName });
  }

  readers(): ReaderInfo[] {
    return [{ name: this.readerName, cardPresent: !!this.card, ...(this.card ? { atrHex: hex(this.card.atr) } : {}) }];
  }

  subscribe(listener: CardEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listReaders(): Promise<ReaderInfo[]> {
    return this.readers();
  }

  withCard<T>(reader: string, fn: (card: ConnectedCard) => Promise<T>, opts: WithCardOptions = {}): Promise<T> {
    const run = this.queue.catch(() => undefined).then(async () => {
      if (reader !== this.readerName) throw new AppFailure('NO_READER', 'Kortläsaren finns inte.', { reader });
      const card = this.card;
      if (!card) throw new AppFailure('NO_CARD', 'Inget kort i läsaren.', { reader });
      const transport = new InProcessCardTransport(card, () => this.card === card);
      try {
        return await fn({ reader, atr: card.atr, transport });
      } finally {
        if (opts.disposition === 'reset' && this.card === card) card.reset();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private emit(e: CardEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
