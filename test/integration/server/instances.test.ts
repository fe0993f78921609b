/**
 * Several server nodes on one PostgreSQL (issue 33, point 2; docs/operations.md): nodes started
 * together on an empty database all come up (migrations, the runtime role's grants and the seed
 * wait for one advisory lock); a scheduled job runs once across nodes; the pool gives up waiting
 * after DATABASE_CONNECT_TIMEOUT_MS instead of for ever; and a PostgreSQL restart is logged as
 * the database lost and regained, after which queries and LISTEN work again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../../server/app';
import { openPostgres } from '../../../server/db/postgres';
import { claimRun, startScheduledJob } from '../../../server/db/schedule';
import type { Db } from '../../../server/db/types';
import { prepareDatabase } from '../../../server/startup';
import { createTestDatabase, createTestRoles, type TestDatabase } from '../../support/postgres';
import { startPostgres } from '../../support/postgres-setup';

const quiet = { info: () => undefined, warn: () => undefined };
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

/** What server/main.ts does at start, as the runtime role with the owner migrating: ready and answering /health. */
async function startNode(urls: { runtimeUrl: string; ownerUrl: string }): Promise<string> {
  const db = await openPostgres({ connectionString: urls.runtimeUrl, maxConnections: 4 });
  try {
    await prepareDatabase({ databaseUrl: urls.runtimeUrl, migrationDatabaseUrl: urls.ownerUrl, seed: true }, db, quiet);
    const app = createServer({ db, version: 'test', logger: false, auth: 'disabled' });
    try {
      await app.ready();
      const res = await app.inject({ method: 'GET', url: '/health' });
      return res.statusCode === 200 ? 'ok' : `health ${res.statusCode}`;
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
  }
}

describe('nodes started together on an empty database', () => {
  it('two nodes started at once succeed 20 times of 20, and seed once', { timeout: 300_000 }, async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 20; round++) {
      const database = await createTestDatabase(`start_${round}`);
      databases.push(database);
      const roles = await createTestRoles(database);
      try {
        const results = await Promise.allSettled([startNode(roles), startNode(roles)]);
        for (const r of results) outcomes.push(r.status === 'fulfilled' ? r.value : String((r.reason as Error).message));
        const db = await openPostgres({ connectionString: roles.ownerUrl, maxConnections: 1 });
        try {
          expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organisations')).rows[0]!.n).toBe(1);
        } finally {
          await db.close();
        }
      } finally {
        await database.drop();
        await roles.drop();
      }
    }
    expect(outcomes).toEqual(Array(40).fill('ok'));
  });
});

describe('scheduled jobs across nodes', () => {
  let a: Db;
  let b: Db;
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('of many nodes claiming at once exactly one runs the job; the next claim succeeds only after the interval', async () => {
    const database = await createTestDatabase('schedule');
    databases.push(database);
    a = await openPostgres({ connectionString: database.url, maxConnections: 10 });
    b = await openPostgres({ connectionString: database.url, maxConnections: 10 });
    await prepareDatabase({ seed: false }, a, quiet);
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => claimRun(i % 2 ? a : b, 'race', 60_000, `node-${i}`)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimRun(a, 'race', 60_000)).toBe(false);
    // A short interval: due again once it has passed.
    expect(await claimRun(a, 'short', 300)).toBe(true);
    expect(await claimRun(b, 'short', 300)).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect(await claimRun(b, 'short', 300)).toBe(true);
  });

  it('two nodes checking every 50 ms run a 400 ms job about once per interval between them, not once each', async () => {
    let runs = 0;
    const job = (db: Db) => startScheduledJob({ db, name: 'both', intervalMs: 400, checkMs: 50, run: async () => void runs++, onError: (e) => { throw e; } });
    const started = Date.now();
    const stops = [job(a), job(b)];
    await new Promise((r) => setTimeout(r, 1_300));
    await Promise.all(stops.map((stop) => stop()));
    const elapsed = Date.now() - started;
    // Once at start and once per 400 ms after: 4 in 1.3 s (each node alone would also have run 4).
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThanOrEqual(Math.floor(elapsed / 400) + 1);
  });
});

describe('the request pool and the database going away', () => {
  it('a request waits at most DATABASE_CONNECT_TIMEOUT_MS for a connection of a full pool, then fails', async () => {
    const database = await createTestDatabase('pool_wait');
    databases.push(database);
    const waits: number[] = [];
    const db = await openPostgres({ connectionString: database.url, maxConnections: 1, connectTimeoutMs: 300, events: { poolWait: (s) => waits.push(s) } });
    try {
      const busy = db.query('SELECT pg_sleep(1.5)');
      const started = Date.now();
      await expect(db.query('SELECT 1')).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(1_200);
      await busy;
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
      expect(waits.length).toBeGreaterThanOrEqual(2);
    } finally {
      await db.close();
    }
  });

  it('a statement longer than DATABASE_STATEMENT_TIMEOUT_MS is cancelled by PostgreSQL', async () => {
    const database = await createTestDatabase('stmt_timeout');
    databases.push(database);
    const db = await openPostgres({ connectionString: database.url, maxConnections: 1, statementTimeoutMs: 200 });
    try {
      await expect(db.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('a PostgreSQL restart is reported as lost, then regained; queries and LISTEN work again', { timeout: 90_000 }, async () => {
    const postgres = await startPostgres();
    const events: string[] = [];
    let regained: () => void = () => undefined;
    const back = new Promise<void>((resolve) => (regained = resolve));
    const db = await openPostgres({
      connectionString: postgres.url,
      maxConnections: 2,
      connectTimeoutMs: 2_000,
      events: { lost: () => events.push('lost'), regained: () => (events.push('regained'), regained()) },
    });
    try {
      const heard: string[] = [];
      let reconnects = 0;
      await db.listen('omsorg_test', (payload) => heard.push(payload), () => reconnects++);
      await postgres.restart();
      await back;
      expect(events).toEqual(['lost', 'regained']);
      expect(reconnects).toBe(1);
      // The pool's old connections were cut: the first query may fail once; then it works.
      await db.query('SELECT 1').catch(() => undefined);
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
      await db.query(`SELECT pg_notify('omsorg_test', 'after restart')`);
      await expect.poll(() => heard, { timeout: 2_000 }).toEqual(['after restart']);
    } finally {
      await db.close();
      await postgres.stop();
    }
  });
});
