import { afterAll, describe, expect, it } from 'vitest';
import { SqlAccessLog, verifyChain } from '../../../server/audit/access-log';
import { migrate } from '../../../server/db/migrate';
import { openPostgres } from '../../../server/db/postgres';
import { seedDemoData } from '../../../server/demo';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { authSuite } from '../../unit/server/auth-suite';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

async function freshDb(hint: string, maxConnections?: number) {
  const database = await createTestDatabase(hint);
  databases.push(database);
  const db = await openPostgres({ connectionString: database.url, ...(maxConnections ? { maxConnections } : {}) });
  await migrate(db);
  return db;
}

authSuite('PostgreSQL', async () => {
  const db = await freshDb('auth');
  await seedDemoData(db);
  return { db, close: () => db.close() };
});

describe('the access log chain under concurrent writers on PostgreSQL', () => {
  it('stays linear with 200 inserts from 20 connections and two server nodes', async () => {
    const a = await freshDb('access_log_concurrency', 20);
    const database = databases.at(-1)!;
    const b = await openPostgres({ connectionString: database.url, maxConnections: 20 });
    try {
      const logs = [new SqlAccessLog(a), new SqlAccessLog(b)];
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          logs[i % 2]!.record({ action: 'read', outcome: 'success', recordType: 'journal_entry', recordId: `e-${i}`, workstation: `WS-${i % 7}` }),
        ),
      );
      expect(await verifyChain(a)).toMatchObject({ ok: true, rows: 200 });
      const { rows } = await a.query<{ n: number }>('SELECT count(DISTINCT prev_hash)::int AS n FROM access_log');
      expect(rows[0]?.n).toBe(200);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('a rolled-back insert leaves a gap in the ids, not a break in the chain', async () => {
    const db = await freshDb('access_log_rollback');
    try {
      const log = new SqlAccessLog(db);
      await log.record({ action: 'read', outcome: 'success' });
      await expect(
        db.transaction(async (tx) => {
          await new SqlAccessLog(tx).record({ action: 'change', outcome: 'success' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await log.record({ action: 'read', outcome: 'success' });
      const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM access_log ORDER BY access_log.id');
      expect(rows.map((r) => r.id)).toEqual(['1', '3']);
      expect(await verifyChain(db)).toMatchObject({ ok: true, rows: 2 });
    } finally {
      await db.close();
    }
  });
});
