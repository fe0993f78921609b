import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { HealthResponse, ServerErrorBody, UnitsResponse } from '../../../contract/server-api';
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
    expect(HealthResponse.parse(res.json())).toEqual({ status: 'ok', version: '9.9.9-test', database: 'pglite' });
  });

  it('GET /api/v1/units lists the organisation and its two units with client counts', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/units' });
    expect(res.statusCode).toBe(200);
    const body = UnitsResponse.parse(res.json());
    expect(body.organisation).toMatchObject({ name: 'Omsorgsbolaget Väst AB', municipality: 'Göteborg' });
    expect(body.units.map((u) => [u.name, u.serviceType, u.clientCount])).toEqual([
      ['Daglig verksamhet Hisingen', 'daglig_verksamhet', 7],
      ['Hemtjänst Majorna', 'hemtjanst', 14],
    ]);
    for (const unit of body.units) expect(unit.organisationId).toBe(body.organisation.id);
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

  it('an unexpected query parameter is a 400 VALIDATION error that does not echo its value', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/units?personnummer=191212121212' });
    expect(res.statusCode).toBe(400);
    expect(ServerErrorBody.parse(res.json()).error.code).toBe('VALIDATION');
    expect(res.body).not.toContain('191212121212');
  });

  it('answers 404 NOT_FOUND for units when no organisation is set up yet', async () => {
    const empty = await demoDb({ seed: false });
    const bare = createServer({ db: empty, version: '0', logger: false });
    try {
      const res = await bare.inject({ method: 'GET', url: '/api/v1/units' });
      expect(res.statusCode).toBe(404);
      expect(ServerErrorBody.parse(res.json()).error.code).toBe('NOT_FOUND');
    } finally {
      await bare.close();
      await empty.close();
    }
  });

  it('a database failure is a 500 INTERNAL without detail', async () => {
    const broken: Db = { ...db, query: () => Promise.reject(new Error('connection lost to 191212121212')) };
    const failing = createServer({ db: broken, version: '0', logger: false });
    try {
      const res = await failing.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    } finally {
      await failing.close();
    }
  });
});
