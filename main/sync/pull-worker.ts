/**
 * The pull worker: fetches sync pull pages over HTTP and hands each page's bytes straight to the
 * store worker's page inbox (main/store/page-inbox.ts), telling the main thread only that the page
 * is in and what its `x-sync-next` header says. Started by PageFetcher (page-fetcher.ts).
 *
 * Why a thread of its own: a page is about a megabyte. Received on the main thread, every page's
 * socket chunks and buffer were external memory of the main heap, and V8 answered with a full
 * mark-compact of that heap every few pages: 10–20 ms pauses of the event loop (bench/sync.ts).
 * In the store worker the socket could not be read while SQLite writes, so fetching and applying
 * would no longer overlap.
 */
// First: the thread drops below the main thread's priority before it loads the rest.
import '../background-thread';
import type { Agent } from 'node:http';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { AppFailure } from '#contract';
import type { DeliveredPage } from '../store/page-inbox';
import { serializeError } from '../worker-errors';
import type { PullWorkerRequest, PullWorkerResponse } from './page-fetcher';
import { fetchPullPage, pullAgent } from './pull-page';

const port = parentPort;
if (!port) throw new Error('main/sync/pull-worker.ts runs as a worker thread');

let inbox: MessagePort | null = null;
let agent: { baseUrl: string; agent: Agent } | null = null;
const running = new Map<number, AbortController>();
const send = (m: PullWorkerResponse) => port.postMessage(m);

async function fetchPage(m: Extract<PullWorkerRequest, { kind: 'fetch' }>): Promise<void> {
  const abort = new AbortController();
  running.set(m.ticket, abort);
  try {
    if (!inbox) throw new AppFailure('INTERNAL', 'The pull worker has no page inbox');
    if (agent?.baseUrl !== m.baseUrl) {
      agent?.agent.destroy();
      agent = { baseUrl: m.baseUrl, agent: pullAgent(m.baseUrl) };
    }
    const { bytes, next } = await fetchPullPage({
      baseUrl: m.baseUrl,
      token: m.token,
      body: m.body,
      ...(m.headers ? { headers: m.headers } : {}),
      signal: abort.signal,
      agent: agent.agent,
    });
    if (abort.signal.aborted) return;
    // Into the store's queue first: once the main thread hears of the page, the store can take it.
    inbox.postMessage({ ticket: m.ticket, bytes } satisfies DeliveredPage, [bytes.buffer as ArrayBuffer]);
    send({ kind: 'fetched', ticket: m.ticket, next });
  } catch (e) {
    if (!abort.signal.aborted) send({ kind: 'failed', ticket: m.ticket, error: serializeError(e) });
  } finally {
    running.delete(m.ticket);
  }
}

port.on('message', (m: PullWorkerRequest) => {
  switch (m.kind) {
    case 'inbox':
      inbox?.close();
      inbox = m.port;
      return;
    case 'fetch':
      void fetchPage(m);
      return;
    case 'abort':
      for (const ticket of m.tickets) running.get(ticket)?.abort();
      return;
    case 'close':
      for (const a of running.values()) a.abort();
      agent?.agent.destroy();
      inbox?.close();
      port.close();
      return;
  }
});
