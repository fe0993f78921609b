/**
 * Denial of service before login (issue 19, point 1; docs/security.md): an anonymous client's
 * body is never parsed on a protected route (the session is checked in onRequest), the login
 * routes take small bodies only, and no JSON body nests deeper than MAX_JSON_DEPTH. The timing
 * figures are in `npm run bench -- abuse`.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerErrorBody } from '#contract';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../../server/http/body-limits';
import { generateTestPki } from '../../../tools/pki/index';
import { authOptions } from './auth-suite';
import { demoDb } from './helpers';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('request bodies before and after login', () => {
  let db: Db;
  let app: FastifyInstance;
  let bodiesRead = 0;
  beforeAll(async () => {
    db = await demoDb({ seed: false });
    app = createServer({ db, version: 'test', logger: false, auth: authOptions(await generateTestPki()), sync: { retentionIntervalMs: false } });
    // Counts the bodies Fastify starts to read (preParsing runs after onRequest, before the parser).
    app.addHook('preParsing', async (request) => {
      if (request.url.startsWith('/api/v1/sync/push') || request.url.includes('/actions')) bodiesRead++;
    });
    await app.ready();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const post = (url: string, payload: string, token?: string) =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  it('an anonymous megabyte of nested brackets on a protected route is refused as unauthenticated, unread', async () => {
    const res = await post('/api/v1/sync/push', nested(500_000));
    expect(res.statusCode).toBe(401);
    expect(ServerErrorBody.parse(res.json()).error.code).toBe('UNAUTHENTICATED');
    expect(bodiesRead).toBe(0);
  });

  it('a made-up token is refused the same way before its body is read', async () => {
    const res = await post('/api/v1/assignments/00000000-0000-4000-8000-000000000000/actions', nested(500_000), 'x'.repeat(43));
    expect(res.statusCode).toBe(401);
    expect(bodiesRead).toBe(0);
  });

  it('the login routes take 16 KiB at most, the challenge, renew and logout 1 KiB', async () => {
    for (const url of ['/api/v1/auth/login', '/api/v1/officer/auth/login']) {
      const res = await post(url, JSON.stringify({ pad: 'x'.repeat(17 * 1024) }));
      expect(res.statusCode, url).toBe(413);
      expect(ServerErrorBody.safeParse(res.json()).success).toBe(true);
    }
    for (const url of ['/api/v1/auth/challenge', '/api/v1/auth/renew', '/api/v1/auth/logout']) {
      expect((await post(url, JSON.stringify({ pad: 'x'.repeat(2048) }))).statusCode, url).toBe(413);
    }
  });

  it(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is refused before it is parsed`, async () => {
    const res = await post('/api/v1/auth/login', nested(MAX_JSON_DEPTH + 1));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION', message: expect.stringContaining('nested') } });
    // Within the bound it is an ordinary validation error of the login token.
    expect((await post('/api/v1/auth/login', nested(MAX_JSON_DEPTH))).json()).toMatchObject({ error: { code: 'VALIDATION', message: 'Invalid login token' } });
  });

  it('the depth scan ignores brackets inside strings and escaped quotes', () => {
    expect(jsonDepthExceeds(JSON.stringify({ a: '[[[[[[', b: 'x\\"[[[[' }), 2)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ a: [[{ b: [1] }]] }), 4)).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ a: [[{ b: [1] }]] }), 5)).toBe(false);
  });
});
