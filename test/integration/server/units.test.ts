import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse, ServerErrorBody } from '#contract';
import { createServer } from '../../../server/app';
import { appliedVersions, loadMigrations, migrate } from '../../../server/db/migrate';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { seedDemoData } from '../../../server/demo';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

describe('the server on a real PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Db;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase('server_units');
    db = await openPostgres({ connectionString: database.url });
    app = createServer({ db, version: 'integration', logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await database?.drop();
  });

  it('runs PostgreSQL 15 or later', async () => {
    const { rows } = await db.query<{ server_version_num: string }>('SHOW server_version_num');
    expect(Number(rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
  });

  it('migrates an empty database, and a second run applies nothing', async () => {
    const all = (await loadMigrations()).map((m) => m.version);
    expect(await migrate(db)).toEqual(all);
    expect(await migrate(db)).toEqual([]);
    expect(await appliedVersions(db)).toEqual(all);
  });

  it('serialises nodes migrating the same database at once', async () => {
    const fresh = await createTestDatabase('server_concurrent');
    const nodes = await Promise.all([1, 2, 3].map(() => openPostgres({ connectionString: fresh.url })));
    try {
      const results = await Promise.all(nodes.map((node) => migrate(node)));
      expect(results.flat().sort((a, b) => a - b)).toEqual((await loadMigrations()).map((m) => m.version));
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
      await fresh.drop();
    }
  });

  it('seeds the demo organisation once', async () => {
    expect(await seedDemoData(db)).toBe(true);
    expect(await seedDemoData(db)).toBe(false);
  });

  it('GET /health reports the postgres database', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(HealthResponse.parse(res.json())).toEqual({ status: 'ok', version: 'integration', database: 'postgres', instance: expect.any(String) });
  });

  it('GET /api/v1/units without a session is 401 UNAUTHENTICATED (the login flow: auth.test.ts)', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/units' });
    expect(res.statusCode).toBe(401);
    expect(ServerErrorBody.parse(res.json()).error.code).toBe('UNAUTHENTICATED');
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO organisations (name, municipality) VALUES ('Tillfälligt AB', 'Borås')");
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const { rows } = await db.query("SELECT 1 FROM organisations WHERE name = 'Tillfälligt AB'");
    expect(rows).toHaveLength(0);
  });

  it('returns date columns as YYYY-MM-DD strings, as PGlite does', async () => {
    const { rows } = await db.query<{ d: string }>("SELECT DATE '2025-06-30' AS d");
    expect(rows[0]?.d).toBe('2025-06-30');
  });
});
