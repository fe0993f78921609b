/**
 * The request pool through a real PgBouncer in transaction mode (issue 33, point 2;
 * docs/operations.md, "PgBouncer"): migrations, login, push and pull go through it, while LISTEN
 * uses its own connection straight to PostgreSQL (DATABASE_LISTEN_URL) — a LISTEN through a
 * transaction-mode bouncer would be lost when its server connection goes back to the pool. Two
 * server nodes: a push on one reaches an event stream on the other.
 */
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { prepareDatabase } from '../../../server/startup';
import { generateTestPki } from '../../../tools/pki/index';
import { startPgBouncer, type RunningPgBouncer } from '../../support/pgbouncer';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { dayNoteCreate, openEvents, pullAll, startSyncHarness, type SyncHarness } from '../../unit/server/sync-suite';

describe('two server nodes whose request pools go through PgBouncer in transaction mode', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let bouncer: RunningPgBouncer;
  let dbA: Db;
  let dbB: Db;
  let a: SyncHarness;
  let b: SyncHarness;

  const transactionsThroughBouncer = async (): Promise<number> => {
    const admin = new pg.Client({ connectionString: bouncer.adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ database: string; total_xact_count: string }>('SHOW STATS');
      return Number(rows.find((r) => r.database === database.name)?.total_xact_count ?? 0);
    } finally {
      await admin.end();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('pgbouncer');
    // A small bouncer pool for many client connections: what transaction mode is for.
    bouncer = await startPgBouncer(database.url, { poolSize: 4 });
    // PgBouncer 1.18 in transaction mode keeps no prepared statement by name across transactions: DATABASE_PREPARED_STATEMENTS=0.
    const open = () => openPostgres({ connectionString: bouncer.through(database.url), listenUrl: database.url, maxConnections: 10, preparedStatements: false });
    dbA = await open();
    dbB = await open();
    await prepareDatabase({ seed: true }, dbA, { info: () => undefined, warn: () => undefined });
    const pki = await generateTestPki();
    a = await startSyncHarness(dbA, { listen: true, pki });
    b = await startSyncHarness(dbB, { listen: true, pki });
  }, 120_000);
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await dbA?.close();
    await dbB?.close();
    await bouncer?.stop();
    await database?.drop();
  });

  it('migrated and seeded through the bouncer', async () => {
    expect((await dbA.query<{ n: number }>('SELECT count(*)::int AS n FROM organisations')).rows[0]!.n).toBe(1);
    expect(await transactionsThroughBouncer()).toBeGreaterThan(20);
  });

  it('a push through node A reaches a stream on node B (LISTEN straight to PostgreSQL) and a pull through the bouncer', async () => {
    const before = await transactionsThroughBouncer();
    const anna = await b.login('anna');
    const stream = await openEvents(`http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`, anna.token);
    try {
      expect(await stream.next('ready')).toEqual({ unitIds: [b.units.hemtjanst] });
      const { cursors } = await pullAll(anna);
      const sara = await a.login('sara');
      const note = dayNoteCreate(a.units.hemtjanst, await a.client('hemtjanst', 1), 'Handlat till helgen.');
      const { results } = await sara.push(note);
      expect(results[0]!.status).toBe('applied');
      expect(await stream.next('changed', 5_000)).toEqual({ unitIds: [b.units.hemtjanst] });
      const after = await pullAll(anna, cursors);
      expect(after.changes.map((c) => c.id)).toContain((note.record as { id: string }).id);
    } finally {
      stream.close();
    }
    expect(await transactionsThroughBouncer()).toBeGreaterThan(before);
  });

  it('many concurrent requests share the bouncer’s four server connections', async () => {
    const sara = await a.login('sara');
    const pulls = await Promise.all(Array.from({ length: 30 }, () => pullAll(sara)));
    expect(new Set(pulls.map((p) => p.changes.length)).size).toBe(1);
    const admin = new pg.Client({ connectionString: bouncer.adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ database: string; sv_active: string; sv_idle: string; sv_used: string }>('SHOW POOLS');
      const pool = rows.find((r) => r.database === database.name)!;
      expect(Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used)).toBeLessThanOrEqual(4);
    } finally {
      await admin.end();
    }
  });
});
