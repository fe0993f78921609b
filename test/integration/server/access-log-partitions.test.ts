/**
 * The access log partitioned by month with retention by policy (issue 33; migration 0080,
 * server/audit/partitions.ts, docs/operations.md). Real PostgreSQL, owner and runtime roles:
 * a log written before the migration (seven years of months) keeps every id and hash and verifies
 * after it; new rows continue the chain in the month partitions; the runtime role cannot update,
 * delete, truncate, detach or drop anything of it, nor reach a partition directly; retention below
 * five years is refused; with a policy of 72 months the hourly upkeep drops exactly the expired
 * months, oldest first, records the cut, and the remaining chain still verifies from it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAccessLog, verifyChain } from '../../../server/audit/access-log';
import { maintainAccessLog } from '../../../server/audit/partitions';
import { migrate, openPostgres, type Db } from '../../../server/db';
import { loadMigrations } from '../../../server/db/migrate';
import { grantRuntimeRole } from '../../../server/db/roles';
import { SERVER_KINDS } from '../../../server/kinds';
import { createTestDatabase, createTestRoles, type TestDatabase, type TestRoles } from '../../support/postgres';

const STAFF = '00000000-0000-4000-8000-000000000101';
const HSA = 'SE2321000131-P000000000101';
let database: TestDatabase;
let roles: TestRoles;
let owner: Db;
let runtime: Db;

/** As the runtime role with a plain client: the statement's error message, or null when it succeeded. */
async function asRuntime(sql: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: roles.runtimeUrl });
  await client.connect();
  try {
    await client.query(sql);
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end();
  }
}

const monthsAgo = (now: Date, months: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 15, 12));
const partitions = async () =>
  (
    await owner.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access_log'::regclass ORDER BY 1`,
    )
  ).rows.map((r) => r.name);

beforeAll(async () => {
  database = await createTestDatabase('accesslog_partitions');
  roles = await createTestRoles(database);
  owner = await openPostgres({ connectionString: roles.ownerUrl });
  // The log as it was before migration 0080: one row a month for 84 months (seven years), then today's.
  const before = (await loadMigrations()).filter((m) => m.version < 80);
  await migrate(owner, { migrations: before });
  const now = new Date();
  const log = new SqlAccessLog(owner);
  for (let m = 84; m >= 0; m--) {
    await log.record({ action: 'read', outcome: 'success', actorStaffId: STAFF, actorHsaId: HSA, recordType: 'sync', workstation: `ws-${m}`, at: monthsAgo(now, m) });
  }
  await migrate(owner);
  await grantRuntimeRole(owner, roles.runtimeRole, SERVER_KINDS);
  runtime = await openPostgres({ connectionString: roles.runtimeUrl });
});

afterAll(async () => {
  await runtime?.close();
  await owner?.close();
  await database?.drop();
  await roles?.drop();
});

describe('access log partitions (PostgreSQL)', () => {
  it('keeps every row, id and hash through the migration, one partition a month, and the chain verifies', async () => {
    const result = await verifyChain(owner);
    expect(result).toMatchObject({ ok: true, rows: 85 });
    const names = await partitions();
    expect(names).toContain('access_log_default');
    // 85 months of rows and the next two months.
    expect(names.filter((n) => /^access_log_y\d{4}m\d{2}$/.test(n))).toHaveLength(87);
    const { rows } = await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM access_log_default');
    expect(rows[0]!.n).toBe(0);
    // A row lands in its month's partition.
    const { rows: where } = await owner.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM access_log WHERE workstation = 'ws-0'`);
    const now = new Date();
    expect(where[0]!.p).toBe(`access_log_y${now.getUTCFullYear()}m${String(now.getUTCMonth() + 1).padStart(2, '0')}`);
  });

  it('the runtime role appends through the parent and the chain continues; it can change, remove or restructure nothing', async () => {
    await new SqlAccessLog(runtime).record({ action: 'login', outcome: 'success', actorStaffId: STAFF, actorHsaId: HSA, workstation: 'ws-new' });
    expect(await verifyChain(runtime)).toMatchObject({ ok: true, rows: 86 });
    const month = (await partitions()).find((n) => n.startsWith('access_log_y'))!;
    const refusals = {
      update: await asRuntime(`UPDATE access_log SET workstation = 'x'`),
      delete: await asRuntime('DELETE FROM access_log'),
      truncate: await asRuntime('TRUNCATE access_log'),
      partitionDelete: await asRuntime(`DELETE FROM ${month}`),
      partitionInsert: await asRuntime(`INSERT INTO ${month} (id, action, outcome, prev_hash, hash) VALUES (1, 'read', 'success', repeat('0', 64), repeat('1', 64))`),
      detach: await asRuntime(`ALTER TABLE access_log DETACH PARTITION ${month}`),
      drop: await asRuntime(`DROP TABLE ${month}`),
      retentionRow: await asRuntime(`INSERT INTO access_log_retention (partition, range_from, range_to, rows, keep_months) VALUES ('x', now(), now(), 0, 60)`),
      shortRetention: await asRuntime('SELECT access_log_drop_expired(59, now())'),
    };
    for (const [what, message] of Object.entries(refusals)) expect(message, what).not.toBeNull();
    expect(refusals.shortRetention).toMatch(/at least 60 months/);
    expect(await verifyChain(runtime)).toMatchObject({ ok: true, rows: 86 });
  });

  it('without a policy the upkeep only creates months ahead; with 72 months it drops exactly the expired months and the chain verifies from the cut', async () => {
    const now = new Date();
    const later = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 2));
    expect(await maintainAccessLog(runtime, later)).toEqual({ created: 3, dropped: [] });
    expect(await verifyChain(runtime)).toMatchObject({ ok: true, rows: 86 });

    const upkeep = await maintainAccessLog(runtime, now, 72);
    // Months that ended more than 72 months before this month began: the 12 oldest of the 85 with rows.
    expect(upkeep.dropped).toHaveLength(12);
    expect(upkeep.dropped).toEqual([...upkeep.dropped].sort());
    const { rows } = await owner.query<{ n: number; oldest: Date }>('SELECT count(*)::int AS n, min(at) AS oldest FROM access_log');
    expect(rows[0]!.n).toBe(86 - 12);
    expect(rows[0]!.oldest.getTime()).toBe(monthsAgo(now, 72).getTime());
    const cuts = await owner.query<{ partition: string; rows: string; keep_months: number }>('SELECT partition, rows::text, keep_months FROM access_log_retention ORDER BY id');
    expect(cuts.rows.map((c) => c.partition)).toEqual(upkeep.dropped);
    expect(cuts.rows.every((c) => c.rows === '1' && c.keep_months === 72)).toBe(true);
    expect(await verifyChain(runtime)).toMatchObject({ ok: true, rows: 74 });
    // Again: nothing more is due.
    expect((await maintainAccessLog(runtime, now, 72)).dropped).toEqual([]);
    // The cut is evidence too.
    expect(await asRuntime('DELETE FROM access_log_retention')).not.toBeNull();
    // A changed row after the cut is still found.
    await owner.exec('ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_delete');
    await owner.query(`UPDATE access_log SET workstation = 'tampered' WHERE workstation = 'ws-40'`);
    await owner.exec('ALTER TABLE access_log ENABLE TRIGGER access_log_no_update_delete');
    expect(await verifyChain(runtime)).toMatchObject({ ok: false, reason: 'hash_mismatch' });
  });
});
