import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse, ServerErrorBody } from '#contract';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { demoDb } from './helpers';

describe('the server API on embedded PGlite', () => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await demoDb();
    app = createServer({ db, version: '9.9.9-test', logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('GET /health answers ok with the version and the database kind', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(HealthResponse.parse(res.json())).toEqual({ status: 'ok', version: '9.9.9-test', database: 'pglite', instance: expect.any(String) });
  });

  it('without login configured, GET /api/v1/units is 401 UNAUTHENTICATED and there are no auth routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/units' });
    expect(res.statusCode).toBe(401);
    expect(ServerErrorBody.parse(res.json()).error.code).toBe('UNAUTHENTICATED');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).statusCode).toBe(404);
  });

  it("with auth 'disabled' (no trust anchors), the auth routes answer 503 SERVER_ERROR and units 401", async () => {
    const disabled = createServer({ db, version: '0', logger: false, auth: 'disabled' });
    try {
      for (const path of ['challenge', 'login', 'renew', 'logout']) {
        const res = await disabled.inject({ method: 'POST', url: `/api/v1/auth/${path}`, payload: {} });
        expect(res.statusCode).toBe(503);
        expect(ServerErrorBody.parse(res.json()).error).toEqual({ code: 'SERVER_ERROR', message: expect.stringMatching(/TRUST_ANCHORS/) });
      }
      expect((await disabled.inject({ method: 'GET', url: '/api/v1/units' })).statusCode).toBe(401);
    } finally {
      await disabled.close();
    }
  });

  it('refuses an unusable trust configuration at creation', () => {
    const trust = { trustAnchorsPem: [], intermediatesPem: [], requiredPolicies: ['1.2.3'] };
    expect(() => createServer({ db, version: '0', logger: false, auth: { trust, expectedOrigin: 'https://x.example' } })).toThrow(/trust anchor/);
  });

  it('GET /api/v1/units names no client: no personnummer and no client name in the answer', async () => {
    const text = (await app.inject({ method: 'GET', url: '/api/v1/units' })).body;
    expect(text).not.toMatch(/\d{12}/);
    expect(text).not.toContain('Tolvansson');
  });

  it('an unknown route is 404 in the error envelope, without echoing the path', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/clients/191212121212' });
    expect(res.statusCode).toBe(404);
    const body = ServerErrorBody.parse(res.json());
    expect(body.error.code).toBe('NOT_FOUND');
    expect(res.body).not.toContain('191212121212');
  });

  it('a wrong method on a known path is 404 too', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/v1/units' });
    expect(res.statusCode).toBe(404);
    expect(ServerErrorBody.parse(res.json()).error.code).toBe('NOT_FOUND');
  });

  it('a database failure is a 500 INTERNAL without detail', async () => {
    const broken: Db = { ...db, query: () => Promise.reject(new Error('connection lost to 191212121212')) };
    const failing = createServer({ db: broken, version: '0', logger: false });
    try {
      const res = await failing.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Ett internt fel uppstod på servern. Försök igen om en stund.' } });
    } finally {
      await failing.close();
    }
  });
});
