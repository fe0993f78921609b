import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { loggablePath, maskPersonalData } from '../../../server/logging';
import { captureStream, demoDb } from './helpers';

describe('server logs never contain personal data', () => {
  let db: Db;
  let app: FastifyInstance;
  const logs = captureStream();
  const lines = () =>
    logs
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    db = await demoDb();
    app = createServer({ db, version: '0', logger: { stream: logs, level: 'debug' } });
    await app.ready();
    await app.inject({ method: 'GET', url: '/api/v1/units', headers: { authorization: 'Bearer top-secret-token', cookie: 'sid=abc' } });
    await app.inject({ method: 'GET', url: '/api/v1/units?personnummer=19121212-1212&q=191212121212' });
    await app.inject({ method: 'GET', url: '/api/v1/clients/191212121212/journal' });
    await app.inject({ method: 'GET', url: '/api/v1/clients/121212-1212' });
    await app.inject({ method: 'POST', url: '/api/v1/units', payload: { personnummer: '191212121212', name: 'Tolvan Tolvansson' } });
    const broken: Db = { ...db, query: () => Promise.reject(new Error('bad value 191212121212 in row')) };
    const failing = createServer({ db: broken, version: '0', logger: { stream: logs } });
    await failing.inject({ method: 'GET', url: '/health' });
    await failing.close();
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('logs requests as structured JSON lines with method, path and status', () => {
    const completed = lines().filter((l) => l.msg === 'request completed');
    expect(completed.length).toBeGreaterThanOrEqual(5);
    const incoming = lines().find((l) => l.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ method: 'GET', url: '/api/v1/units' });
  });

  it('writes no personnummer, in any form, from paths, query strings, bodies or errors', () => {
    const text = logs.text();
    expect(text).not.toContain('191212121212');
    expect(text).not.toContain('19121212-1212');
    expect(text).not.toContain('121212-1212');
    expect(text).toContain('[personnummer]');
  });

  it('writes no authorization header, cookie or request body', () => {
    const text = logs.text();
    expect(text).not.toContain('top-secret-token');
    expect(text).not.toContain('sid=abc');
    expect(text).not.toContain('Tolvansson');
    expect(text).not.toMatch(/authorization/i);
  });

  it('still logs server errors, masked', () => {
    const failure = lines().find((l) => l.msg === 'request failed');
    expect(failure?.err).toMatchObject({ message: 'bad value [personnummer] in row' });
  });

  it('masks personnummer-shaped digits and drops query strings', () => {
    expect(maskPersonalData('x 19121212-1212 y 121212+1212 z 191212121212')).toBe(
      'x [personnummer] y [personnummer] z [personnummer]',
    );
    expect(maskPersonalData('version 2025 port 54321')).toBe('version 2025 port 54321');
    expect(loggablePath('/api/v1/units?pnr=191212121212')).toBe('/api/v1/units');
  });
});
