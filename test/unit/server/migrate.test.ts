import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appliedVersions, loadMigrations, migrate } from '../../../server/db/migrate';
import { openPglite } from '../../../server/db/pglite';
import type { Db } from '../../../server/db/types';

describe('schema migrations', { timeout: 30_000 }, () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('are numbered NNNN_name.sql files, in ascending order, starting at 1 (gaps allowed: branches reserve ranges)', async () => {
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const versions = migrations.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(migrations[0]?.name).toBe('initial');
  });

  it('run forward on an empty database and record each version in schema_migrations', async () => {
    db = await openPglite();
    const all = (await loadMigrations()).map((m) => m.version);
    expect(await migrate(db)).toEqual(all);
    expect(await appliedVersions(db)).toEqual(all);
    const { rows } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['organisations', 'units', 'clients', 'staff', 'permissions', 'schema_migrations']),
    );
  });

  it('are idempotent: a second run applies nothing and changes nothing', async () => {
    db = await openPglite();
    await migrate(db);
    const before = await appliedVersions(db);
    expect(await migrate(db)).toEqual([]);
    expect(await appliedVersions(db)).toEqual(before);
  });

  it('apply only what is new, and a failing migration leaves no trace of itself', async () => {
    db = await openPglite();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE first_table (id int PRIMARY KEY);');
      expect(await migrate(db, { dir })).toEqual([1]);

      await writeFile(join(dir, '0002_second.sql'), 'CREATE TABLE second_table (id int); SELECT no_such_function();');
      await expect(migrate(db, { dir })).rejects.toThrow();
      expect(await appliedVersions(db)).toEqual([1]);
      const { rows } = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'second_table'");
      expect(rows).toHaveLength(0);

      await writeFile(join(dir, '0002_second.sql'), 'CREATE TABLE second_table (id int);');
      expect(await migrate(db, { dir })).toEqual([2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuse a file that is not named NNNN_name.sql', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      await writeFile(join(dir, 'add-things.sql'), 'SELECT 1;');
      await expect(loadMigrations(dir)).rejects.toThrow(/NNNN_name\.sql/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keep a PGlite database on disk across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pglite-'));
    try {
      db = await openPglite({ dataDir });
      await migrate(db);
      await db.close();
      db = await openPglite({ dataDir });
      expect(await migrate(db)).toEqual([]);
      expect((await appliedVersions(db)).length).toBeGreaterThan(0);
    } finally {
      await db?.close();
      db = undefined;
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('migration 0006: the change feed keeps only the latest change of a record per unit', { timeout: 30_000 }, () => {
  it('compacts a feed written before it, and every later change replaces the earlier row', async () => {
    const db = await openPglite();
    try {
      const all = await loadMigrations();
      await migrate(db, { migrations: all.filter((m) => m.version < 6) });
      const unit = '00000000-0000-4000-8000-00000000000a';
      const other = '00000000-0000-4000-8000-00000000000b';
      const rec = '00000000-0000-4000-8000-0000000000c1';
      // Before 0006: three changes of one record in one unit, one of it in another unit.
      await db.query(
        `INSERT INTO changes (unit_id, record_type, record_id, op) VALUES
           ($1, 'client', $3, 'upsert'), ($1, 'client', $3, 'upsert'), ($2, 'client', $3, 'upsert'), ($1, 'client', $3, 'delete')`,
        [unit, other, rec],
      );
      const feed = async () =>
        (await db.query<{ unit_id: string; op: string; seq: string }>('SELECT unit_id, op, seq::text FROM changes WHERE record_id = $1 ORDER BY seq', [rec])).rows;
      const before = await feed();
      expect(before).toHaveLength(4);

      await migrate(db);
      // The latest of each unit stays, with its seq: a workstation at any cursor still finds it.
      expect(await feed()).toEqual([before[2], before[3]]);

      await db.query(`SELECT sync_append_change($1, 'client', $2, 'upsert')`, [unit, rec]);
      const after = await feed();
      expect(after).toHaveLength(2);
      expect(after[0]).toEqual(before[2]);
      expect(after[1]).toMatchObject({ unit_id: unit, op: 'upsert' });
      expect(BigInt(after[1]!.seq)).toBeGreaterThan(BigInt(before[3]!.seq));
    } finally {
      await db.close();
    }
  });
});
