/**
 * The version handshake, the server's half (issue 33, point 4; contract/server-api.ts): the server
 * states its API version on every answer and in the login answer; it logs in a workstation of the
 * previous version (one that states nothing, as the releases before the handshake), and a
 * workstation newer than it is served too but logged for IT and counted in /metrics.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, API_VERSION_HEADER, ChallengeResponse, LoginResponse, SupportReport, reportedAppVersion, serverIsOlder, statedApiVersion } from '#contract';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { authOptions, loginToken, PEOPLE, testCard } from './auth-suite';
import { demoDb } from './helpers';

let db: Db;
let app: FastifyInstance;
let pki: TestPki;
const lines: string[] = [];
beforeAll(async () => {
  db = await demoDb();
  pki = await generateTestPki();
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
  app = createServer({ db, version: 'test', logger: { stream, level: 'warn' }, auth: authOptions(pki, { rateLimit: false }), sync: { retentionIntervalMs: false } });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function login(headers: Record<string, string>) {
  const card = await testCard(pki, PEOPLE.anna);
  const { nonce } = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json());
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: await loginToken(card, nonce) });
}

describe('API versions at login', () => {
  it('reads a stated version; nothing stated is version 1; nonsense is no version', () => {
    expect(statedApiVersion(undefined)).toBe(1);
    expect(statedApiVersion('2')).toBe(2);
    expect(statedApiVersion(['3'])).toBe(3);
    for (const bad of ['', 'två', '0', '2.5', '-1']) expect(statedApiVersion(bad), bad).toBeUndefined();
  });

  it('serves the previous workstation version (no header), stating its own version in the answer and header', async () => {
    const res = await login({});
    expect(res.statusCode).toBe(200);
    expect(res.headers[API_VERSION_HEADER]).toBe(String(API_VERSION));
    expect(LoginResponse.parse(res.json()).apiVersion).toBe(API_VERSION);
    // Any other answer states it too, even a refusal.
    expect((await app.inject({ method: 'GET', url: '/api/v1/units' })).headers[API_VERSION_HEADER]).toBe(String(API_VERSION));
    expect(lines.filter((l) => l.includes('workstation API version differs'))).toEqual([]);
  });

  it('serves a workstation of its own version without a word', async () => {
    expect((await login({ [API_VERSION_HEADER]: String(API_VERSION) })).statusCode).toBe(200);
    expect(lines.filter((l) => l.includes('workstation API version differs'))).toEqual([]);
  });

  it('a workstation newer than the server is served, logged for IT and counted by version', async () => {
    const newer = API_VERSION + 1;
    expect((await login({ [API_VERSION_HEADER]: String(newer) })).statusCode).toBe(200);
    const warned = lines.filter((l) => l.includes('workstation API version differs')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, workstationApiVersion: newer, serverApiVersion: API_VERSION });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(new RegExp(`^omsorg_workstation_logins_by_api_version_total\\{version="${newer}"\\} 1$`, 'm'));
    expect(metrics).toMatch(/^omsorg_workstation_logins_by_api_version_total\{version="1"\} 1$/m);
  });
});

describe('a workstation whose server is older (the workstation’s half)', () => {
  it('knows the server is older when it stated a lower version or none (1), not when it is the same', () => {
    expect(serverIsOlder(1)).toBe(true);
    expect(serverIsOlder(API_VERSION)).toBe(false);
    expect(serverIsOlder(API_VERSION + 1)).toBe(false);
    expect(serverIsOlder(undefined)).toBe(false);
  });

  it('reports it to the support view in the version field every server already accepts', () => {
    const reported = reportedAppVersion('0.1.0', 1);
    expect(reported).toBe(`0.1.0+api${API_VERSION}-server1`);
    expect(reportedAppVersion('0.1.0', API_VERSION)).toBe('0.1.0');
    const report = {
      workstationId: '5f0c6a52-8f1e-4c39-9d55-0c7a4c1d2e3f',
      workstationName: null,
      appVersion: reported,
      host: 'electron',
      sync: { lastOkAt: null, outcome: 'none', code: null },
      queue: { count: 3, oldestAt: null },
      refusals: null,
      card: { service: 'ok', readers: 1, cardPresent: true },
      loggedInAt: new Date().toISOString(),
      store: { state: 'open', bytes: 4096 },
    };
    expect(SupportReport.safeParse(report).success).toBe(true);
  });
});
