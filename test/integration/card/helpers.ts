import { expect, vi } from 'vitest';
import { CardService } from '../../../native/card-service';
import { PcscReaders, type PcscReadersOptions } from '../../../native/pcsc/pcsc-readers';
import type { CardEvent } from '../../../native/readers';
import type { CardFile } from '../../../native/softcard/card-file';
import { insertCard, insertCardFile, type CardCommand, type InsertedCard } from '../../../native/softcard/worker-card';
import { makeTestCard, type TestCardOptions } from '../../support/test-certs';
export { failure } from '../../support/failure';

export const READER_A = { name: 'Virtual PCD 00 00', port: 35963 };
export const READER_B = { name: 'Virtual PCD 00 01', port: 35964 };

export const pin = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A card stack over the real pcscd, with every event recorded (time-stamped) and cleanup tracked. */
export class Rig {
  readonly readers: PcscReaders;
  readonly service: CardService;
  readonly events: { at: number; e: CardEvent }[] = [];
  private readonly cards = new Set<InsertedCard>();

  constructor(opts: PcscReadersOptions = {}) {
    this.readers = new PcscReaders(opts);
    this.service = new CardService(this.readers);
    this.service.subscribe((e) => this.events.push({ at: Date.now(), e }));
  }

  /**
   * Puts a card (a card file in memory, or the path of one whose counters are written back) in a
   * vpcd reader. The software card runs in a worker thread of its own, never on this thread, which
   * closes PC/SC readers (see native/softcard/worker-card.ts); it logs its commands (`commands()`).
   */
  async insert(card: CardFile | string, reader = READER_A): Promise<InsertedCard> {
    const opts = { port: reader.port, log: true };
    const v = typeof card === 'string' ? await insertCardFile(card, opts) : await insertCard(card, opts);
    this.cards.add(v);
    void v.ended.then(() => this.cards.delete(v));
    await vi.waitFor(() => expect(this.service.snapshot().some((r) => r.name === reader.name && r.cardPresent), `card in ${reader.name}`).toBe(true), {
      timeout: 3000,
      interval: 10,
    });
    return v;
  }

  async close(): Promise<void> {
    await Promise.all([...this.cards].map((c) => c.close()));
    // Let pcscd notice the removals before the next test inserts again.
    await vi
      .waitFor(() => expect(this.service.snapshot().every((r) => !r.cardPresent)).toBe(true), { timeout: 3000, interval: 10 })
      .catch(() => undefined);
    await this.service.close();
  }
}

export const softCard = (o: TestCardOptions = {}): Promise<CardFile> => makeTestCard(o);

/** The instructions (INS), lengths and status words of the commands a card answered, as the card logged them. */
export async function spy(card: InsertedCard): Promise<{ ins: number[]; sws: string[]; lengths: number[] }> {
  const list: CardCommand[] = await card.commands();
  return { ins: list.map((c) => c.ins), sws: list.flatMap((c) => (c.sw ? [c.sw] : [])), lengths: list.map((c) => c.length) };
}
