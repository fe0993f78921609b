/**
 * Backup and restore as docs/operations.md tells (issue 33, point 5): a logical backup (pg_dump
 * -Fc) of a database in use, restored into a new PostgreSQL cluster — the roles created there
 * first, as the guide says — passes `npm run verify-log` against the checkpoints signed before the
 * backup, and the server carries on there: new journal entries and logins continue the chains, and
 * the next checkpoints verify.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeTsx } from '../../../scripts/node-tool';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { prepareDatabase } from '../../../server/startup';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createTestDatabase, createTestRoles, type TestDatabase, type TestRoles } from '../../support/postgres';
import { startPostgres, type RunningPostgres } from '../../support/postgres-setup';
import { journalCreate, startSyncHarness } from '../../unit/server/sync-suite';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'omsorg-backup-'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
writeFileSync(path.join(dir, 'anchor-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(path.join(dir, 'anchor-key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
const anchorEnv = { ANCHOR_FILE: path.join(dir, 'anchor.jsonl'), ANCHOR_PUBLIC_KEY: path.join(dir, 'anchor-key.pub.pem'), ANCHOR_PRIVATE_KEY: path.join(dir, 'anchor-key.pem') };
const quiet = { info: () => undefined, warn: () => undefined };

interface Verified {
  code: number;
  result: { ok: boolean; checkpointWritten?: boolean; anchor?: { ok: boolean }; journal: { ok: boolean; entries: number }; accessLog?: unknown };
}

/** `npm run verify-log` as the operator runs it (its JSON line and exit code). */
async function verifyLog(databaseUrl: string): Promise<Verified> {
  try {
    const { stdout } = await run(...nodeTsx(root, 'tools/verify-log.ts'), { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl, ...anchorEnv } });
    return { code: 0, result: JSON.parse(stdout) as Verified['result'] };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, result: JSON.parse(err.stdout) as Verified['result'] };
  }
}

/** A node on `db` that logs Sara in and writes `n` journal entries for one client. */
async function writeEntries(db: Db, pki: TestPki, n: number): Promise<void> {
  const h = await startSyncHarness(db, { pki });
  try {
    const sara = await h.login('sara');
    const client = await h.client('hemtjanst', 0);
    for (let i = 0; i < n; i++) expect((await sara.push(journalCreate(client))).results[0]!.status).toBe('applied');
  } finally {
    await h.app.close();
  }
}

const count = async (url: string, sql: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await c.end();
  }
};

describe('pg_dump, restore into a new cluster, verify-log, carry on', { timeout: 180_000 }, () => {
  let source: TestDatabase;
  let roles: TestRoles;
  let target: RunningPostgres | undefined;
  afterAll(async () => {
    await target?.stop();
    await source?.drop();
    await roles?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores a database whose chains and checkpoints verify, and new entries continue the chains', async () => {
    // The database in use: migrated by the owner, written by the runtime role, checkpointed.
    source = await createTestDatabase('backup_source');
    roles = await createTestRoles(source);
    const pki = await generateTestPki();
    const runtime = await openPostgres({ connectionString: roles.runtimeUrl });
    try {
      await prepareDatabase({ databaseUrl: roles.runtimeUrl, migrationDatabaseUrl: roles.ownerUrl, seed: true }, runtime, quiet);
      await writeEntries(runtime, pki, 3);
    } finally {
      await runtime.close();
    }
    const before = await verifyLog(source.url);
    expect(before.code).toBe(0);
    expect(before.result.checkpointWritten).toBe(true);
    const journalRows = await count(source.url, 'SELECT count(*) AS n FROM journal_entries');
    const logRows = await count(source.url, 'SELECT count(*) AS n FROM access_log');

    // The backup: custom format, as the database superuser (docs/operations.md).
    const dump = path.join(dir, 'omsorg.dump');
    await run('pg_dump', ['--format=custom', `--file=${dump}`, source.url], { timeout: 120_000 });

    // A new cluster: roles first (they are not in a database's dump), then the database, then the restore.
    target = await startPostgres();
    const targetServer = new URL(target.url);
    const owner = new URL(roles.ownerUrl).username;
    const runtimeRole = roles.runtimeRole;
    const admin = new pg.Client({ connectionString: target.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${owner} LOGIN; CREATE ROLE ${runtimeRole} LOGIN`);
      await admin.query(`CREATE DATABASE omsorg_restored OWNER ${owner}`);
    } finally {
      await admin.end();
    }
    const restoredAs = (user: string) => {
      const u = new URL(targetServer);
      u.pathname = '/omsorg_restored';
      u.username = user;
      return u.toString();
    };
    await run('pg_restore', ['--exit-on-error', `--dbname=${restoredAs('postgres')}`, dump], { timeout: 120_000 });

    // The restored database holds every row, and its chains verify against the checkpoint made before the backup.
    expect(await count(restoredAs('postgres'), 'SELECT count(*) AS n FROM journal_entries')).toBe(journalRows);
    expect(await count(restoredAs('postgres'), 'SELECT count(*) AS n FROM access_log')).toBe(logRows);
    const restored = await verifyLog(restoredAs('postgres'));
    expect(restored.code).toBe(0);
    expect(restored.result).toMatchObject({ ok: true, anchor: { ok: true }, checkpointWritten: true });

    // The server carries on there as the runtime role (its grants came with the dump): a login and new entries.
    const carryOn = await openPostgres({ connectionString: restoredAs(runtimeRole) });
    try {
      await prepareDatabase({ databaseUrl: restoredAs(runtimeRole), migrationDatabaseUrl: restoredAs(owner), seed: true }, carryOn, quiet);
      await writeEntries(carryOn, pki, 2);
    } finally {
      await carryOn.close();
    }
    expect(await count(restoredAs('postgres'), 'SELECT count(*) AS n FROM journal_entries')).toBe(journalRows + 2);
    expect(await count(restoredAs('postgres'), 'SELECT count(*) AS n FROM access_log')).toBeGreaterThan(logRows);
    const after = await verifyLog(restoredAs('postgres'));
    expect(after.code).toBe(0);
    expect(after.result).toMatchObject({ ok: true, anchor: { ok: true }, journal: { ok: true, entries: before.result.journal.entries + 2 }, checkpointWritten: true });
    // Three checkpoints in the one file: before the backup, after the restore, after carrying on.
    expect(readFileSync(anchorEnv.ANCHOR_FILE, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
