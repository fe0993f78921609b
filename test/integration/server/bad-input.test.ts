/**
 * No input answers 5xx (issue 19, point 4): every route the server declares — listed from the
 * server itself (server/http/route-list.ts), so a new route is walked the moment it exists — gets
 * almost-valid requests generated from its contract schema (test/support/bad-input.ts) with NUL
 * bytes, year-0000 and 1850 dates, forged cursors, blank text and wrong types, as an anonymous
 * client, a provider and a case officer, against the real PostgreSQL. Every answer is below 500,
 * and every 4xx carries the error envelope.
 */
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse } from '#contract';
import { ServerErrorBody } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { createServer } from '../../../server/app';
import { openPostgres, type Db } from '../../../server/db';
import { declaredRoutes } from '../../../server/http/route-list';
import { generateTestPki, issuePersonCard } from '../../../tools/pki/index';
import { badInput, NASTY_STRINGS, queryString, type Pools } from '../../support/bad-input';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, loginToken } from '../../unit/server/auth-suite';

const RUNS_PER_ROUTE = 100;

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let base: string;
type Who = 'anonymous' | 'provider' | 'officer';
/** Fresh sessions for every route: the logout and renew routes end theirs. */
let freshTokens: () => Promise<Record<Who, string | null>>;
const pools: Pools = { byKey: {}, uuids: [] };

beforeAll(async () => {
  database = await createSeededDatabase('bad_input');
  db = await openPostgres({ connectionString: database.url, maxConnections: 8 });
  const pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const cards = new Map<string, CardFile>();
  const login = async (person: { hsaId: string; givenName: string; familyName: string }, url: string) => {
    const card = cards.get(person.hsaId) ?? (await issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false }));
    cards.set(person.hsaId, card);
    const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
    const res = await app.inject({ method: 'POST', url, payload: await loginToken(card, nonce) });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { token: string }).token;
  };
  const anna = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
  const maria = { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' };
  freshTokens = async () => ({
    anonymous: null,
    provider: await login(anna, '/api/v1/auth/login'),
    officer: await login(maria, '/api/v1/officer/auth/login'),
  });
  // Anna's unit's rows, so the provider's requests reach the handlers and the database.
  const ids = async (sql: string) => (await db.query<{ id: string }>(sql)).rows.map((r) => r.id);
  const unit = `(SELECT id FROM units WHERE name = 'Hemtjänst Majorna')`;
  pools.byKey = {
    clientId: await ids(`SELECT id FROM clients WHERE unit_id = ${unit}`),
    unitId: await ids(`SELECT id FROM units`),
    assignmentId: await ids(`SELECT id FROM assignments WHERE unit_id = ${unit} LIMIT 20`),
  };
  pools.uuids = [...pools.byKey.clientId!, ...pools.byKey.unitId!, ...pools.byKey.assignmentId!];
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

interface Sent {
  status: number;
  body: unknown;
}

/** One request over a real socket; an event stream is answered by its headers and then closed. */
async function send(method: string, url: string, token: string | null, body: unknown): Promise<Sent> {
  const abort = new AbortController();
  const headers: Record<string, string> = { 'x-workstation': 'WS-FUZZ' };
  if (token) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers, signal: abort.signal };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body) ?? 'null';
  }
  const res = await fetch(`${base}${url}`, init);
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.status, body: null };
  }
  const text = await res.text();
  // GET /metrics answers Prometheus' text format; everything else JSON.
  if (res.ok && !(res.headers.get('content-type') ?? '').includes('json')) return { status: res.status, body: text };
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

const pathParam = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length < 100 && !s.includes('\ud800'))) },
);

describe('every route answers bad input with a 4xx and the error envelope, never a 5xx', () => {
  it('the route list comes from the server and holds the contract routes', () => {
    const urls = declaredRoutes(app).map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(expect.arrayContaining(['POST /api/v1/sync/push', 'GET /api/v1/assignments', 'POST /api/v1/officer/assignments/:id/actions', 'POST /api/v1/auth/login']));
  });

  it('walks every declared route', { timeout: 120_000 }, async () => {
    const routes = declaredRoutes(app);

    for (const route of routes) {
      const tokens = await freshTokens();
      const input = route.body ? badInput(route.body, pools) : route.query ? badInput(route.query, pools) : fc.anything();
      await fc.assert(
        fc.asyncProperty(
          input,
          fc.constantFrom<Who>('provider', 'officer', 'provider', 'officer', 'anonymous'),
          pathParam,
          fc.constantFrom(...pools.byKey.assignmentId!, ...pools.byKey.unitId!),
          async (value, who, param, id) => {
            const path = route.url.replace(/:(\w+)/g, () => encodeURIComponent(param ?? id));
            const url = route.method === 'GET' && route.query ? `${path}?${queryString(value)}` : path;
            const answer = await send(route.method, url, tokens[who], value);
            const label = `${route.method} ${route.url} as ${who}: ${answer.status} ${JSON.stringify(answer.body)}`;
            expect(answer.status, label).toBeLessThan(500);
            if (answer.status >= 400) expect(ServerErrorBody.safeParse(answer.body).success, label).toBe(true);
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
  });
});

describe('the inputs that answered 500 before (issue 19) answer 400 VALIDATION', () => {
  const today = new Date().toISOString().slice(0, 10);
  const expect400 = async (method: string, url: string, who: Who, body?: unknown) => {
    const tokens = await freshTokens();
    const answer = await send(method, url, tokens[who], body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(ServerErrorBody.parse(answer.body).error.code).toBe('VALIDATION');
  };
  const sendBody = (over: Record<string, unknown>) => ({
    client: { clientId: pools.byKey.clientId![0] },
    decision: { reference: 'BIS-1', date: today },
    services: [{ name: 'Hemtjänst', grantedHours: 10, per: 'month' }],
    startDate: today,
    ...over,
  });
  const push = (record: Record<string, unknown>) => ({
    mutations: [
      {
        mutationId: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
        type: 'journal_entry.create',
        record: { id: crypto.randomUUID(), clientId: pools.byKey.clientId![0], eventDate: today, text: 'Text', lifeArea: null, assignmentId: null, correctsId: null, ...record },
      },
    ],
  });
  const forged = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

  it('NUL bytes in the case officer\'s text fields', async () => {
    await expect400('POST', '/api/v1/officer/assignments', 'officer', sendBody({ freeText: 'a\u0000b' }));
    await expect400('POST', '/api/v1/officer/assignments', 'officer', sendBody({ decision: { reference: 'B\u0000', date: today } }));
  });
  it('forged list cursors whose parts are cast in SQL', async () => {
    await expect400('GET', `/api/v1/assignments?cursor=${forged(['updated_desc', 'igår', crypto.randomUUID()])}`, 'provider');
    await expect400('GET', `/api/v1/assignments?sort=start_asc&cursor=${forged(['start_asc', '2024-02-30', crypto.randomUUID()])}`, 'provider');
    await expect400('GET', `/api/v1/officer/assignments?sort=client_asc&cursor=${forged(['client_asc', 'a\u0000', 'b', crypto.randomUUID()])}`, 'officer');
    await expect400('GET', `/api/v1/assignments?cursor=${forged(['updated_desc', '2025-01-01 10:00:00+00', 'not-a-uuid'])}`, 'provider');
  });
  it('year-0000 and 1850 dates', async () => {
    await expect400('GET', '/api/v1/officer/assignments?to=0000-01-01', 'officer');
    await expect400('POST', '/api/v1/officer/assignments', 'officer', sendBody({ startDate: '0000-01-01' }));
    await expect400('POST', '/api/v1/sync/push', 'provider', push({ eventDate: '0000-01-01' }));
    await expect400('POST', '/api/v1/sync/push', 'provider', push({ eventDate: '1850-06-01' }));
  });
  it('a journal entry naming an assignment that does not exist (or is another client\'s) is refused, the rest applied', async () => {
    const tokens = await freshTokens();
    const { rows } = await db.query<{ id: string; client_id: string }>('SELECT id, client_id FROM assignments WHERE client_id <> $1 LIMIT 1', [pools.byKey.clientId![0]]);
    const bodies = [push({ assignmentId: crypto.randomUUID() }), push({ assignmentId: rows[0]!.id }), push({})];
    const statuses = [];
    for (const body of bodies) {
      const answer = await send('POST', '/api/v1/sync/push', tokens.provider, body);
      expect(answer.status).toBe(200);
      statuses.push((answer.body as { results: { status: string; error?: { code: string } }[] }).results[0]);
    }
    expect(statuses.map((r) => r?.error?.code ?? r?.status)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'applied']);
  });

  it('a URL too large for the HTTP parser is answered with the error envelope too', async () => {
    const answer = await send('GET', `/api/v1/assignments?client=${'x'.repeat(20_000)}`, null, undefined);
    expect(answer.status).toBe(431);
    expect(ServerErrorBody.parse(answer.body).error.code).toBe('VALIDATION');
  });

  it('whitespace-only journal text', async () => {
    await expect400('POST', '/api/v1/sync/push', 'provider', push({ text: '  \n\t ' }));
  });
});
