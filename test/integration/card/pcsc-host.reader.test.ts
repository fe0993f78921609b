import { createHash, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AppFailure } from '#contract';
import { CardService, HostedReaders, type CardEvent } from '../../../native';
import { insertCardFile, openCardFile, type InsertedCard } from '../../../native/softcard';
// The one deliberate exception to "a vpcd card only in its worker thread" (vpcd-card-thread.test.ts):
// the test below puts one on this thread on purpose, to show the host process keeps it answering.
import { VpcdCard } from '../../../native/softcard/vpcd-client';
import { writeTestCard } from '../../support/test-certs';

/**
 * PC/SC in a process of its own (native/pcsc/host): the workstation's `CardReaders` forwards
 * every call to a host process that owns pcsclite. Through real pcscd + vpcd, the software card
 * in its own worker thread (insertCardFile), so nothing on this thread answers for the card.
 */
const READER = 'Virtual PCD 00 00';
const EMPTY = 'Virtual PCD 00 01';
const pin = (s: string): Uint8Array => new TextEncoder().encode(s);
const fast = { pingIntervalMs: 300, pingTimeoutMs: 1_500, restartDelayMs: 200, closeGraceMs: 1_000 };

let readers: HostedReaders | undefined;
let card: InsertedCard | undefined;
afterEach(async () => {
  await readers?.close();
  await card?.close();
  readers = undefined;
  card = undefined;
});

async function until(pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for a state: ${String(pred)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const failure = (p: Promise<unknown>): Promise<AppFailure> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as AppFailure,
  );

async function started(): Promise<{ service: CardService; events: CardEvent[]; certificate: Buffer }> {
  const path = await writeTestCard({ alg: 'EC-P256', pin: '123456' });
  card = await insertCardFile(path, { port: 35963 });
  readers = new HostedReaders(fast);
  const events: CardEvent[] = [];
  readers.monitor.subscribe((e) => events.push(e));
  const service = new CardService(readers);
  await until(() => readers!.readers().some((r) => r.name === READER && r.cardPresent));
  const certificate = new X509Certificate((JSON.parse(readFileSync(path, 'utf8')) as { auth: { certificateChainPem: string[] } }).auth.certificateChainPem[0]!).raw;
  return { service, events, certificate };
}

describe('HostedReaders: PC/SC in its own process', () => {
  it('reads the certificate and signs (a login) through the host; the reader list comes from it; errors keep their code and details', async () => {
    const { service, certificate } = await started();
    expect(readers!.pid).toBeGreaterThan(0);
    expect(readers!.pid).not.toBe(process.pid);
    const listed = await readers!.listReaders();
    expect(listed.map((r) => r.name)).toEqual(expect.arrayContaining([READER, EMPTY]));
    expect(listed.find((r) => r.name === READER)?.atrHex).toMatch(/^3B/i);

    expect(Buffer.from(await service.readCertificate(READER)).equals(certificate)).toBe(true);
    const digest = createHash('sha256').update('logga in').digest();
    const signed = await service.sign(READER, pin('123456'), new Uint8Array(digest), 'SHA-256');
    expect(signed.algorithm).toBe('ES256');
    const key = new X509Certificate(Buffer.from(signed.certificateDer)).publicKey;
    expect(verify('sha256', Buffer.from('logga in'), { key, dsaEncoding: 'ieee-p1363' }, signed.signature)).toBe(true);

    // Failures from the host arrive as the same AppFailure: code, details (tries left) and all.
    const wrong = await failure(service.sign(READER, pin('000000'), new Uint8Array(digest), 'SHA-256'));
    expect(wrong).toBeInstanceOf(AppFailure);
    expect(wrong.code).toBe('PIN_WRONG');
    expect(wrong.details).toMatchObject({ triesLeft: 2 });
    expect((await service.getPinStatus(READER)).triesLeft).toBe(2);
    expect(await service.sign(READER, pin('123456'), new Uint8Array(digest), 'SHA-256')).toMatchObject({ algorithm: 'ES256' });
    expect((await failure(service.readCertificate(EMPTY))).code).toBe('NO_CARD');
    const none = await failure(service.readCertificate('Ingen sådan läsare'));
    expect(none.code).toBe('NO_READER');
    expect(none.details).toEqual({ reader: 'Ingen sådan läsare' });
  }, 60_000);

  it('a stopped host never stops this thread: the operation fails with PCSC_UNAVAILABLE within its bound, readers are reported unavailable, and a new host serves the card', async () => {
    const { service, events, certificate } = await started();
    const stopped = readers!.pid!;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    try {
      process.kill(stopped, 'SIGSTOP');
      const t0 = Date.now();
      const stalled = await failure(service.readCertificate(READER));
      const took = Date.now() - t0;
      const ticksWhileStalled = ticks;
      expect(stalled.code).toBe('PCSC_UNAVAILABLE');
      // Bounded by the ping timeout (1.5 s here), far from the 30 s transmit bound or forever.
      expect(took).toBeLessThan(15_000);
      // This thread went on running the whole time (a 20 ms timer, over more than the ping timeout).
      expect(ticksWhileStalled).toBeGreaterThan(10);
      expect(events).toContainEqual(expect.objectContaining({ type: 'unavailable' }));
      expect(events).toContainEqual({ type: 'card-removed', reader: READER });
      // The stopped host was killed (SIGKILL reaches a stopped process).
      await until(() => !alive(stopped));
    } finally {
      clearInterval(ticker);
    }
    await until(() => events.some((e) => e.type === 'available') && readers!.readers().some((r) => r.name === READER && r.cardPresent));
    expect(readers!.pid).not.toBe(stopped);
    expect(Buffer.from(await service.readCertificate(READER)).equals(certificate)).toBe(true);
  }, 60_000);

  it('a host killed in the middle of an operation: the operation fails with PCSC_UNAVAILABLE, then unavailable, then available again, and the card reads', async () => {
    const { service, events, certificate } = await started();
    const first = readers!.pid!;
    let atKill = 0;
    const inFlight = readers!.withCard(
      READER,
      async (c) => {
        // SELECT the PKCS#15 application's MF, then the host dies before the next APDU.
        expect((await c.transport.transmit(Uint8Array.from([0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00]))).length).toBeGreaterThanOrEqual(2);
        atKill = events.length;
        process.kill(first, 'SIGKILL');
        await until(() => events.slice(atKill).some((e) => e.type === 'unavailable'));
        return c.transport.transmit(Uint8Array.from([0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00]));
      },
      { share: 'shared', disposition: 'leave' },
    );
    const killed = await failure(inFlight);
    expect(killed.code).toBe('PCSC_UNAVAILABLE');
    const down = events.findIndex((e, i) => i >= atKill && e.type === 'unavailable');
    expect(events.slice(atKill, down)).toContainEqual({ type: 'reader-removed', reader: READER });
    await until(() => events.slice(down).some((e) => e.type === 'available'));
    await until(() => readers!.readers().some((r) => r.name === READER && r.cardPresent));
    expect(readers!.pid).not.toBe(first);
    expect(Buffer.from(await service.readCertificate(READER)).equals(certificate)).toBe(true);
  }, 60_000);

  it('a software card on this very thread (the deadlock of session 11) answers the workstation\'s PC/SC: open, read, close, ten times', async () => {
    const path = await writeTestCard({ alg: 'EC-P256', pin: '123456' });
    const sameThread = await VpcdCard.insert(await openCardFile(path), { port: 35963 });
    try {
      for (let i = 0; i < 10; i++) {
        readers = new HostedReaders(fast);
        await until(() => readers!.readers().some((r) => r.name === READER && r.cardPresent));
        expect((await new CardService(readers).readCertificate(READER)).length).toBeGreaterThan(100);
        await readers.close();
        readers = undefined;
      }
    } finally {
      await sameThread.close();
    }
  }, 120_000);

  it('close() never blocks on a host that does not answer: it kills it after the grace', async () => {
    await started();
    const pid = readers!.pid!;
    process.kill(pid, 'SIGSTOP');
    const t0 = Date.now();
    await readers!.close();
    expect(Date.now() - t0).toBeLessThan(10_000);
    await until(() => !alive(pid));
    readers = undefined;
  }, 30_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
