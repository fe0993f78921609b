import { describe, expect, it } from 'vitest';
import { CombinedReaders } from '../../../native/combined-readers';
import type { CardEvent, CardEventListener, CardReaders, ReaderInfo } from '../../../native/readers';
import { openCardFile } from '../../../native/softcard';
import { DemoInProcessReader } from '../../../native/softcard/in-process';
import { writeTestCard } from '../../support/test-certs';

/**
 * The PC/SC service as the combined stack sees it: readers that come and go, and the service that
 * goes away (pcscd stopped, or no pcsclite). The edge the real one sits behind; its own tests use
 * real pcscd (test/integration/card).
 */
function pcscService(initial: ReaderInfo[]) {
  let readers = initial;
  const listeners = new Set<CardEventListener>();
  const emit = (e: CardEvent) => listeners.forEach((l) => l(e));
  const stack: CardReaders = {
    monitor: { readers: () => readers, subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) },
    listReaders: async () => readers,
    withCard: async (reader, fn) => fn({ reader, transport: { transmit: async () => new Uint8Array([0x90, 0x00]) } }),
    close: async () => undefined,
  };
  return {
    stack,
    goAway() {
      readers = [];
      emit({ type: 'unavailable', error: { code: 'PCSC_UNAVAILABLE', message: 'Kortläsartjänsten är inte igång.' } });
    },
    comeBack(r: ReaderInfo[]) {
      readers = r;
      emit({ type: 'available' });
    },
  };
}

describe('the PC/SC readers and the built-in demo reader as one stack', () => {
  it('lists both, routes each reader to its own stack, and is never unavailable while the demo reader is there', async () => {
    const pcsc = pcscService([{ name: 'USB-läsare', cardPresent: true, atrHex: '3B00' }]);
    const demo = new DemoInProcessReader();
    const combined = new CombinedReaders(pcsc.stack, demo);
    const events: CardEvent[] = [];
    combined.subscribe((e) => events.push(e));

    expect(combined.readers().map((r) => r.name)).toEqual(['USB-läsare', 'Demo-läsare (in-process, DEMO ONLY)']);
    demo.insert(await openCardFile(await writeTestCard({ alg: 'EC-P256' })));
    expect(events).toEqual([expect.objectContaining({ type: 'card-inserted', reader: 'Demo-läsare (in-process, DEMO ONLY)' })]);
    // The demo reader's card answers through the demo stack; the USB reader through PC/SC.
    expect(await combined.withCard('Demo-läsare (in-process, DEMO ONLY)', async (c) => c.atr !== undefined)).toBe(true);
    expect(await combined.withCard('USB-läsare', async (c) => c.reader)).toBe('USB-läsare');

    // pcscd stops: its reader (and card) are reported gone, the demo reader stays, nothing says 'unavailable'.
    events.length = 0;
    pcsc.goAway();
    expect(events).toEqual([
      { type: 'card-removed', reader: 'USB-läsare' },
      { type: 'reader-removed', reader: 'USB-läsare' },
    ]);
    expect(combined.readers()).toEqual([expect.objectContaining({ name: 'Demo-läsare (in-process, DEMO ONLY)', cardPresent: true })]);

    // And back.
    events.length = 0;
    pcsc.comeBack([{ name: 'USB-läsare', cardPresent: false }]);
    expect(events).toEqual([{ type: 'reader-added', reader: 'USB-läsare' }]);
    expect(combined.readers().map((r) => r.name)).toEqual(['USB-läsare', 'Demo-läsare (in-process, DEMO ONLY)']);
    await combined.close();
  });
});
