import { expect, vi } from 'vitest';
import { CardService } from '../../../native/card-service';
import { PcscReaders, type PcscReadersOptions } from '../../../native/pcsc/pcsc-readers';
import type { CardEvent } from '../../../native/readers';
import { SoftCard } from '../../../native/softcard/soft-card';
import { VpcdCard } from '../../../native/softcard/vpcd-client';
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
  private readonly cards = new Set<VpcdCard>();

  constructor(opts: PcscReadersOptions = {}) {
    this.readers = new PcscReaders(opts);
    this.service = new CardService(this.readers);
    this.service.subscribe((e) => this.events.push({ at: Date.now(), e }));
  }

  async insert(card: SoftCard, reader = READER_A): Promise<VpcdCard> {
    const v = await VpcdCard.insert(card, { port: reader.port });
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

export async function softCard(o: TestCardOptions = {}): Promise<SoftCard> {
  return new SoftCard(await makeTestCard(o));
}

/** Counts the instructions (INS) and status words a software card sees and answers. */
export function spy(card: SoftCard): { ins: number[]; sws: string[]; lengths: number[] } {
  const log = { ins: [] as number[], sws: [] as string[], lengths: [] as number[] };
  const orig = card.process.bind(card);
  card.process = async (apdu: Uint8Array) => {
    log.ins.push(apdu[1]!);
    log.lengths.push(apdu.length);
    const res = await orig(apdu);
    if (res) log.sws.push(Buffer.from(res.subarray(res.length - 2)).toString('hex').toUpperCase());
    return res;
  };
  return log;
}

