/**
 * Knocking the server over, against a listening server on a real PostgreSQL (issue 25 points 4 and
 * 5; docs/security.md, "Slow and many connections" and "Rate limits"):
 * - a client holding many half-open connections from one address is cut off at the per-address
 *   limit, its sockets closed after the header time, and GET /health answers throughout;
 * - the per-card login count applies only to logins whose signature verified: garbage carrying
 *   Anna's public certificate from another address does not lock her out;
 * - behind a trusted proxy each workstation has its own address (X-Forwarded-For), from anyone
 *   else the header is ignored;
 * - a flood of anonymous failed logins leaves one row, then one summary row per window;
 * - one session's event streams are bounded (the oldest is closed).
 */
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse } from '#contract';
import { createServer } from '../../../server/app';
import { purgeDeadAuthState } from '../../../server/auth/purge';
import { openPostgres, type Db } from '../../../server/db';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, loginToken, PEOPLE, testCard } from '../../unit/server/auth-suite';
import { captureStream } from '../../unit/server/helpers';

let database: TestDatabase;
let db: Db;
let pki: TestPki;
beforeAll(async () => {
  database = await createSeededDatabase('abuse');
  db = await openPostgres({ connectionString: database.url });
  pki = await generateTestPki({ algorithm: 'EC-P256' });
}, 120_000);
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const openSocket = (port: number, localAddress: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
const closedWithin = (socket: Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    socket.on('error', () => undefined);
    socket.resume();
  });

describe('slow and many connections', () => {
  let app: FastifyInstance;
  let port: number;
  const logs = captureStream();
  beforeAll(async () => {
    app = createServer({
      db,
      version: 'test',
      logger: { stream: logs, level: 'warn' },
      httpLimits: { connectionsPerAddress: 50, headersTimeoutMs: 1_500, requestTimeoutMs: 5_000 },
      sync: { retentionIntervalMs: false },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => app?.close());

  it('closes connections beyond the per-address limit at once, logs the refusals as one count, and /health answers meanwhile', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 50; i++) held.push(await openSocket(port, '127.0.0.2'));
      // The 51st from the same address is closed by the server before it says anything.
      const extra = await Promise.all(Array.from({ length: 20 }, () => openSocket(port, '127.0.0.2')));
      expect(await Promise.all(extra.map((s) => closedWithin(s, 2_000)))).toEqual(extra.map(() => true));
      // Another address is not affected.
      const t0 = performance.now();
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(performance.now() - t0).toBeLessThan(1_000);
      expect(logs.text().match(/anslutningar nekade/g)?.length).toBe(1);
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it('closes a half-open connection (nothing sent) and one sending its headers a byte at a time after the header time', async () => {
    const silent = await openSocket(port, '127.0.0.3');
    const trickle = await openSocket(port, '127.0.0.3');
    trickle.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => trickle.writable && trickle.write('X-A: b\r\n'), 300);
    try {
      const t0 = performance.now();
      expect(await closedWithin(silent, 6_000)).toBe(true);
      expect(await closedWithin(trickle, 6_000)).toBe(true);
      // Header time 1.5 s, checked every 375 ms.
      expect(performance.now() - t0).toBeLessThan(4_000);
    } finally {
      clearInterval(drip);
      silent.destroy();
      trickle.destroy();
    }
  });
});

describe('login rate limits and the access log under a flood', () => {
  let app: FastifyInstance;
  let clock = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 5_000);
  beforeAll(async () => {
    app = createServer({
      db,
      version: 'test',
      logger: false,
      auth: authOptions(pki, { now: () => clock, rateLimit: { perAddress: 30, perCard: 3, windowMs: 60_000 } }),
      trustedProxies: ['10.9.0.1'],
      sync: { retentionIntervalMs: false },
    });
    await app.ready();
  });
  afterAll(async () => app?.close());

  const challenge = async (remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/challenge', remoteAddress, headers });
  const nonceFor = async (remoteAddress: string) => ChallengeResponse.parse((await challenge(remoteAddress)).json()).nonce;
  const accessRows = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_log WHERE action = 'login_failed'`)).rows[0]!.n;

  it('garbage logins with Anna’s public certificate from another address do not lock Anna out; her own signed logins count', async () => {
    const anna = await testCard(pki, PEOPLE.anna);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const token = await loginToken(anna, await nonceFor('10.0.0.66'));
      // The signature of another nonce: her certificate, not her card.
      const forged = { ...token, signature: (await loginToken(anna, await nonceFor('10.0.0.66'))).signature };
      statuses.push((await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.66', payload: forged })).statusCode);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
    const own = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.5', payload: await loginToken(anna, await nonceFor('10.0.0.5')) });
    expect(own.statusCode, own.body).toBe(200);
    LoginResponse.parse(own.json());
    // Three signed logins a window, then 429 with Retry-After.
    const more: number[] = [];
    for (let i = 0; i < 3; i++) more.push((await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.5', payload: await loginToken(anna, await nonceFor('10.0.0.5')) })).statusCode);
    expect(more).toEqual([200, 200, 429]);
  });

  it('behind the trusted proxy each workstation counts by its X-Forwarded-For; from another address the header is ignored', async () => {
    clock = new Date(clock.getTime() + 60_000);
    // 30 a window per address: through the proxy, 40 workstations × 2 challenges all pass.
    const viaProxy: number[] = [];
    for (let w = 0; w < 40; w++) for (let i = 0; i < 2; i++) viaProxy.push((await challenge('10.9.0.1', { 'x-forwarded-for': `192.0.2.${w + 1}` })).statusCode);
    expect(viaProxy.every((s) => s === 200)).toBe(true);
    // Not a trusted proxy: its X-Forwarded-For is not believed, all 40 count against its own address.
    const spoofed: number[] = [];
    for (let w = 0; w < 40; w++) spoofed.push((await challenge('10.0.0.99', { 'x-forwarded-for': `192.0.2.${w + 1}` })).statusCode);
    expect(spoofed.filter((s) => s === 200)).toHaveLength(30);
  });

  it('a flood of anonymous failed logins leaves one row in its window, then one summary row counting the rest', async () => {
    clock = new Date(clock.getTime() + 60_000);
    const before = await accessRows();
    // A card of a CA nobody trusts: refused CERT_UNTRUSTED, and nobody known (no HSA-ID believed).
    const stranger = await testCard(await generateTestPki({ algorithm: 'EC-P256' }), PEOPLE.anna);
    const codes = new Set<string>();
    for (let i = 0; i < 25; i++) {
      const address = `10.0.1.${i % 5}`;
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: address, payload: await loginToken(stranger, await nonceFor(address)) });
      codes.add((res.json() as { error: { code: string } }).error.code);
    }
    expect([...codes]).toEqual(['CERT_UNTRUSTED']);
    expect(await accessRows()).toBe(before + 1);
    clock = new Date(clock.getTime() + 120_000);
    expect((await purgeDeadAuthState(db, clock)).summaries).toBe(1);
    const { rows } = await db.query<{ record_type: string; record_id: string }>(
      `SELECT record_type, record_id FROM access_log WHERE action = 'login_failed' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({ record_type: 'anonymous_login_failures', record_id: '24' });
    // Purged: a second purge writes nothing more.
    expect((await purgeDeadAuthState(db, clock)).summaries).toBe(0);
  });
});

describe('event streams per session', () => {
  it('a session holds at most EVENT_STREAMS_PER_SESSION streams: one more closes the oldest with end REPLACED', async () => {
    let url = '';
    const app = createServer({
      db,
      version: 'test',
      logger: false,
      auth: { ...authOptions(pki, { rateLimit: false }), expectedOrigin: () => url },
      httpLimits: { eventStreamsPerSession: 2 },
      sync: { retentionIntervalMs: false },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
    try {
      const anna = await testCard(pki, PEOPLE.anna);
      const nonce = ChallengeResponse.parse(await (await fetch(`${url}/api/v1/auth/challenge`, { method: 'POST' })).json()).nonce;
      const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await loginToken(anna, nonce, url)) });
      const { token } = LoginResponse.parse(await login.json());
      const open = async () => {
        const res = await fetch(`${url}/api/v1/sync/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        readers.push(reader);
        return reader;
      };
      const readAll = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
        let text = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return text;
          text += new TextDecoder().decode(value);
        }
      };
      const first = await open();
      await open();
      await open();
      const text = await readAll(first);
      expect(text).toMatch(/event: end\ndata: \{"code":"REPLACED"\}/);
    } finally {
      for (const r of readers) await r.cancel().catch(() => undefined);
      await app.close();
    }
  });
});
