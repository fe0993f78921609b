import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { AppFailure } from '#contract';

/** A pull page on its way from the pull worker (main/sync/pull-worker.ts) to the store worker. */
export interface DeliveredPage {
  ticket: number;
  bytes: Uint8Array;
}

/** Pages that arrived ahead of the one being read (two are fetched ahead; a few more is an abandoned run). */
const MAX_HELD = 8;

/**
 * The store worker's end of the channel the pull worker delivers page bytes on: the bytes go from
 * the socket to the store without passing through the main thread, where each megabyte-sized page
 * used to cost a full garbage collection of the main heap (docs/sync.md).
 *
 * The pull worker posts a page here before it tells the main thread the page is in, so the page is
 * in this port's queue by the time the main thread asks the store to read it; `take` reads the
 * queue synchronously (receiveMessageOnPort), never through an event the busy store worker would
 * get to only later. Pages of an abandoned run (the ticket of a later page is asked for) are dropped.
 */
export class PageInbox {
  private readonly held = new Map<number, Uint8Array>();

  constructor(private readonly port: MessagePort) {
    port.unref();
  }

  take(ticket: number): Uint8Array {
    for (const t of this.held.keys()) if (t < ticket) this.held.delete(t);
    const early = this.held.get(ticket);
    if (early) {
      this.held.delete(ticket);
      return early;
    }
    for (;;) {
      const m = receiveMessageOnPort(this.port) as { message: DeliveredPage } | undefined;
      if (!m) throw new AppFailure('INTERNAL', `pull page ${ticket} has not reached the local store`);
      const { ticket: t, bytes } = m.message;
      if (t === ticket) return bytes;
      if (t > ticket) {
        this.held.set(t, bytes);
        if (this.held.size > MAX_HELD) this.held.delete(Math.min(...this.held.keys()));
      }
    }
  }

  close(): void {
    this.held.clear();
    this.port.close();
  }
}
