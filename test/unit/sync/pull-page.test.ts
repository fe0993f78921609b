import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, API_VERSION_HEADER } from '#contract';
import { fetchPullPage, pullAgent } from '../../../main/sync/pull-page';

/** A real HTTP server on loopback whose answer each test chooses. */
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end();
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    (req as http.IncomingMessage & { body?: string }).body = body;
    answer(req, res);
  });
});
let baseUrl = '';
const agent = pullAgent('http://127.0.0.1');

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const pull = (extra: Partial<Parameters<typeof fetchPullPage>[0]> = {}) =>
  fetchPullPage({ baseUrl, token: 'tok', body: { cursors: {}, limit: 10 }, agent, headers: { 'x-workstation': 'ws-1' }, ...extra });

describe('fetchPullPage (node:http)', () => {
  it('posts the request with the bearer token and answers the body as one whole, transferable buffer', async () => {
    const page = JSON.stringify({ big: 'å'.repeat(300_000) });
    let seen: { auth?: string; ws?: string; api?: string; body?: string; path?: string } = {};
    answer = (req, res) => {
      seen = { auth: req.headers.authorization, ws: req.headers['x-workstation'] as string, api: req.headers[API_VERSION_HEADER] as string, body: (req as { body?: string }).body, path: req.url };
      res.setHeader('content-type', 'application/json');
      res.end(page);
    };
    const { bytes, next } = await pull();
    // The API version as every call states it: without it the server serves the first release's kinds only.
    expect(seen).toEqual({ auth: 'Bearer tok', ws: 'ws-1', api: String(API_VERSION), body: '{"cursors":{},"limit":10}', path: '/api/v1/sync/pull' });
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
    expect(new TextDecoder().decode(bytes)).toBe(page);
    expect(next).toBeNull(); // no x-sync-next header: the engine reads the page first
  });

  it('answers the x-sync-next header checked against the contract; a malformed one is SERVER_ERROR', async () => {
    const unit = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    let header = JSON.stringify({ cursors: { [unit]: 42 }, hasMore: true });
    answer = (_req, res) => {
      res.setHeader('x-sync-next', header);
      res.end('{}');
    };
    expect((await pull()).next).toEqual({ cursors: { [unit]: 42 }, hasMore: true });
    header = JSON.stringify({ cursors: { [unit]: -1 }, hasMore: true });
    await expect(pull()).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    header = '{"cursors":';
    await expect(pull()).rejects.toMatchObject({ code: 'SERVER_ERROR' });
  });

  it('an error answer becomes its contract code and Swedish message; a 5xx or a non-JSON answer is SERVER_ERROR', async () => {
    answer = (_req, res) => {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Sessionen har gått ut' } }));
    };
    await expect(pull()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'Sessionen har gått ut' });
    answer = (_req, res) => {
      res.statusCode = 503;
      res.end('<html>proxy</html>');
    };
    await expect(pull()).rejects.toMatchObject({ code: 'SERVER_ERROR', message: 'the server answered 503' });
  });

  it('a body cut off, a server that does not answer in time, an abort and a closed port are SERVER_UNREACHABLE', async () => {
    answer = (_req, res) => {
      res.setHeader('content-length', '1000');
      res.write('{"units":');
      setTimeout(() => res.destroy(), 20);
    };
    await expect(pull()).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });

    answer = () => undefined; // never answers
    await expect(pull({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE', message: expect.stringContaining('TimeoutError') });

    const abort = new AbortController();
    const p = pull({ signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE', message: expect.stringContaining('AbortError') });

    await expect(fetchPullPage({ baseUrl: 'http://127.0.0.1:1', token: 't', body: { cursors: {} } })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
  });
});
