import { AppFailure, type AppError } from '#contract';
import type { CardReaders, ConnectedCard } from '../../readers';
import { fromHex, toHex, type Begun, type HostMessage, type HostRequest } from './protocol';

/** How the host talks to the workstation: child_process IPC or Electron's `process.parentPort`. */
export interface ParentChannel {
  send(m: HostMessage): void;
  onMessage(listener: (m: HostRequest) => void): void;
}

interface Session {
  card: ConnectedCard;
  release: () => void;
  done: Promise<unknown>;
}

const asError = (e: unknown): AppError =>
  e instanceof AppFailure ? e.toError() : { code: 'CARD_ERROR', message: 'Kortläsarfel i kortläsartjänsten.', details: { cause: e instanceof Error ? e.name : typeof e } };

/**
 * The host side: serves one reader stack (PcscReaders) to the workstation over `channel`. Each
 * `begin` opens `withCard` and holds it until `end`; each `transmit` is one APDU in that
 * operation. Card events stream out with the snapshot after each. `close` closes the stack and
 * calls `exit` (the workstation kills the host if that takes too long).
 */
export function serveReaders(readers: CardReaders, channel: ParentChannel, exit: () => void): void {
  const sessions = new Map<number, Session>();
  let nextSession = 1;
  channel.send({ up: true });
  readers.monitor.subscribe((event) => channel.send({ event, readers: readers.monitor.readers() }));
  void readers.listReaders().then(
    (list) => channel.send({ hello: true, readers: list }),
    (e: unknown) => channel.send({ hello: true, readers: [], unavailable: asError(e) }),
  );

  const answer = (id: number, work: () => Promise<unknown>): void => {
    work().then(
      (value) => channel.send(value === undefined ? { id, ok: true } : { id, ok: true, value }),
      (e: unknown) => channel.send({ id, ok: false, error: asError(e) }),
    );
  };

  const session = (n: number): Session => {
    const s = sessions.get(n);
    if (!s) throw new AppFailure('CARD_ERROR', 'Kortoperationen är redan avslutad.', { session: n });
    return s;
  };

  const begin = (reader: string, opts: HostRequest & { op: 'begin' }): Promise<Begun> =>
    new Promise<Begun>((resolve, reject) => {
      const n = nextSession++;
      let begun = false;
      const done = readers.withCard(
        reader,
        (card) =>
          new Promise<void>((release) => {
            begun = true;
            sessions.set(n, { card, release, done });
            resolve({ session: n, ...(card.atr ? { atrHex: toHex(card.atr) } : {}) });
          }),
        opts.opts,
      );
      done.then(
        () => sessions.delete(n),
        (e: unknown) => {
          sessions.delete(n);
          if (!begun) reject(e);
        },
      );
    });

  channel.onMessage((m) => {
    switch (m.op) {
      case 'ping':
        channel.send({ id: m.id, ok: true });
        return;
      case 'list':
        answer(m.id, () => readers.listReaders());
        return;
      case 'begin':
        answer(m.id, () => begin(m.reader, m));
        return;
      case 'transmit':
        answer(m.id, async () => toHex(await session(m.session).card.transport.transmit(fromHex(m.apdu))));
        return;
      case 'end':
        answer(m.id, async () => {
          const s = sessions.get(m.session);
          if (!s) return;
          s.release();
          await s.done.catch(() => undefined);
        });
        return;
      case 'close':
        for (const s of sessions.values()) s.release();
        void readers.close().finally(() => {
          channel.send({ id: m.id, ok: true });
          exit();
        });
        return;
    }
  });
}
