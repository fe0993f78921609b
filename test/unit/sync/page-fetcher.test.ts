import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PageInbox } from '../../../main/store/page-inbox';
import { PageFetcher } from '../../../main/sync/page-fetcher';

/**
 * The pull worker (main/sync/pull-worker.ts) through its client: a real worker thread fetching from
 * a real HTTP server on loopback, delivering into a real page inbox (here on the test's thread, as
 * the store worker holds it in the app).
 */
type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let answer: Answer = (_req, res) => res.end();
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => answer(req, res));
});
let baseUrl = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const UNIT = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
let open: { fetcher: PageFetcher; inbox: PageInbox }[] = [];
function start(): { fetcher: PageFetcher; inbox: PageInbox } {
  const { port1, port2 } = new MessageChannel();
  const pair = { fetcher: PageFetcher.start(port1), inbox: new PageInbox(port2) };
  open.push(pair);
  return pair;
}
afterEach(async () => {
  for (const { fetcher, inbox } of open) {
    await fetcher.close();
    inbox.close();
  }
  open = [];
});
const request = (cursor = 0) => ({ baseUrl, token: 'tok', body: { cursors: { [UNIT]: cursor }, limit: 10 }, headers: { 'x-workstation': 'ws-1' } });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('PageFetcher and the pull worker', () => {
  it('fetches in the worker: the main thread gets a ticket and the header, the inbox gets the page’s exact bytes', async () => {
    const page = JSON.stringify({ changes: [], filler: 'åäö'.repeat(200_000) }); // ~1.2 MB, many socket chunks
    let seen: { auth?: string; ws?: string } = {};
    answer = (req, res) => {
      seen = { auth: req.headers.authorization, ws: req.headers['x-workstation'] as string };
      res.setHeader('x-sync-next', JSON.stringify({ cursors: { [UNIT]: 7 }, hasMore: true }));
      res.end(page);
    };
    const { fetcher, inbox } = start();
    const fetched = await fetcher.fetch(request());
    expect(fetched).toEqual({ ticket: 1, next: { cursors: { [UNIT]: 7 }, hasMore: true } });
    expect(seen).toEqual({ auth: 'Bearer tok', ws: 'ws-1' });
    expect(text(inbox.take(fetched.ticket))).toBe(page);
  });

  it('pages that complete out of order are each taken by their own ticket; a later ticket drops those left behind', async () => {
    // The first request is answered last.
    let requests = 0;
    answer = (_req, res) => {
      if (++requests === 1) setTimeout(() => res.end('{"page":"first"}'), 150);
      else res.end('{"page":"second"}');
    };
    const { fetcher, inbox } = start();
    const [first, second] = await Promise.all([fetcher.fetch(request(0)), fetcher.fetch(request(1))]);
    expect(text(inbox.take(first.ticket))).toBe('{"page":"first"}');
    expect(text(inbox.take(second.ticket))).toBe('{"page":"second"}');

    answer = (_req, res) => res.end('{"page":"n"}');
    const abandoned = await fetcher.fetch(request(2));
    const next = await fetcher.fetch(request(3));
    expect(text(inbox.take(next.ticket))).toBe('{"page":"n"}');
    expect(() => inbox.take(abandoned.ticket)).toThrow(/has not reached the local store/);
  });

  it('answers failures as the engine expects them: the server’s own code, SERVER_ERROR for 5xx, SERVER_UNREACHABLE without a server; nothing is delivered', async () => {
    const { fetcher, inbox } = start();
    answer = (_req, res) => {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Sessionen har gått ut' } }));
    };
    await expect(fetcher.fetch(request())).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'Sessionen har gått ut' });
    answer = (_req, res) => {
      res.statusCode = 503;
      res.end('upptagen');
    };
    await expect(fetcher.fetch(request())).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    answer = (_req, res) => {
      res.setHeader('x-sync-next', '{"cursors":');
      res.end('{}');
    };
    await expect(fetcher.fetch(request())).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    await expect(fetcher.fetch({ ...request(), baseUrl: deadUrl })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    expect(() => inbox.take(1)).toThrow(/has not reached the local store/);
  });

  it('a run’s signal carries no listener of a settled page, however many pages the run has', async () => {
    answer = (_req, res) => res.end('{}');
    const { fetcher, inbox } = start();
    const run = new AbortController();
    for (let i = 0; i < 15; i++) inbox.take((await fetcher.fetch(request(i), run.signal)).ticket);
    answer = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    await expect(fetcher.fetch(request(), run.signal)).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('an aborted fetch rejects at once and its page never reaches the inbox; close ends every fetch in flight', async () => {
    let hold: http.ServerResponse | null = null;
    answer = (_req, res) => {
      hold = res;
    };
    const { fetcher, inbox } = start();
    const abort = new AbortController();
    const aborted = fetcher.fetch(request(), abort.signal);
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    (hold as http.ServerResponse | null)?.end('{"late":true}');
    await new Promise((r) => setTimeout(r, 50));
    expect(() => inbox.take(1)).toThrow(/has not reached the local store/);

    const inFlight = fetcher.fetch(request());
    await new Promise((r) => setTimeout(r, 50));
    await fetcher.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
    await expect(fetcher.fetch(request())).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
  });
});
