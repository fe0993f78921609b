/**
 * The journal is tamper-evident like the access log, and `npm run verify-log` checks both and the
 * externally anchored heads (issue 19, point 3; docs/security.md). Tampering is done as the
 * database superuser, who can disable the triggers: exactly what the chains and the anchor are for.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTsx } from '../../../scripts/node-tool';
import { verifyLogs } from '../../../server/audit/verify';
import { openPostgres, type Db } from '../../../server/db';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'verify-log-'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
writeFileSync(path.join(dir, 'key.pem'), privatePem);
writeFileSync(path.join(dir, 'key.pub.pem'), publicPem);

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createSeededDatabase('verify_log');
  db = await openPostgres({ connectionString: database.url });
}, 120_000);
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

/** As the superuser, around the triggers. */
const tamper = (sql: string, params: unknown[] = []) =>
  db.transaction(async (tx) => {
    await tx.exec('ALTER TABLE journal_entries DISABLE TRIGGER USER');
    await tx.query(sql, params);
    await tx.exec('ALTER TABLE journal_entries ENABLE TRIGGER USER');
  });

/** The real command, as an operator runs it. */
async function verifyLogCommand(env: Record<string, string>): Promise<{ code: number; result: { ok: boolean } & Record<string, unknown> }> {
  try {
    const { stdout } = await run(...nodeTsx(root, 'tools/verify-log.ts'), { cwd: root, env: { ...process.env, ...env } });
    return { code: 0, result: JSON.parse(stdout) as { ok: boolean } };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, result: JSON.parse(err.stdout) as { ok: boolean } };
  }
}

describe('verify-log', () => {
  const anchorFile = path.join(dir, 'anchor.jsonl');
  const anchored = { anchorFile, anchorPublicKey: publicPem };

  it('holds on an untouched database and writes a signed checkpoint of every chain head', async () => {
    const r = await verifyLogs(db, { ...anchored, anchorPrivateKey: privatePem });
    expect(r.ok).toBe(true);
    expect(r.journal.entries).toBeGreaterThan(0);
    expect(r.checkpointWritten).toBe(true);
    const checkpoint = JSON.parse(readFileSync(anchorFile, 'utf8').trim()) as { heads: Record<string, unknown> };
    expect(Object.keys(checkpoint.heads).filter((k) => k.startsWith('journal:'))).toHaveLength(r.journal.clients);
    const command = await verifyLogCommand({ DATABASE_URL: database.url, ANCHOR_FILE: anchorFile, ANCHOR_PUBLIC_KEY: path.join(dir, 'key.pub.pem') });
    expect(command.code).toBe(0);
    expect(command.result).toMatchObject({ ok: true, anchor: { ok: true } });
  });

  it('finds the newest entry of a chain removed, through the anchored head', async () => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM journal_entries ORDER BY client_id, chain_index DESC LIMIT 1');
    await tamper(`DELETE FROM changes WHERE record_id = $1`, [rows[0]!.id]);
    await tamper(`UPDATE journal_entries SET corrects_id = NULL WHERE corrects_id = $1`, [rows[0]!.id]).catch(() => undefined);
    await tamper(`DELETE FROM journal_entries WHERE id = $1`, [rows[0]!.id]);
    const r = await verifyLogs(db, anchored);
    expect(r.journal.ok).toBe(true); // the chain itself is consistent without its tail
    expect(r.ok).toBe(false);
    expect(r.anchor?.missing).toHaveLength(1);
  });

  it('finds an entry rewritten with the triggers disabled, and the command exits 1', async () => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM journal_entries ORDER BY client_id, chain_index LIMIT 1');
    await tamper(`UPDATE journal_entries SET text = 'Omskriven i efterhand' WHERE id = $1`, [rows[0]!.id]);
    const r = await verifyLogs(db);
    expect(r.journal).toMatchObject({ ok: false, brokenAt: { entryId: rows[0]!.id, reason: 'hash_mismatch' } });
    const command = await verifyLogCommand({ DATABASE_URL: database.url });
    expect(command.code).toBe(1);
    expect(command.result).toMatchObject({ ok: false, journal: { ok: false } });
  });

  it('refuses a checkpoint whose signature does not hold', async () => {
    const forged = readFileSync(anchorFile, 'utf8').replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'0'.repeat(64)}"`);
    writeFileSync(anchorFile, forged);
    await expect(verifyLogs(db, anchored)).rejects.toThrow(/signature/);
  });
});
