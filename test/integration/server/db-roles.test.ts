/**
 * Two database roles (issue 19, point 3; docs/security.md): migrations run as the owner, the
 * server as a runtime role granted by server/db/roles.ts. Checked with the real `psql` as the
 * runtime role: it cannot disable or drop a trigger, create a table, or change or delete a journal
 * entry, an assignment event or an access-log row; and the server works as that role (login,
 * push, felmarkering, access-log events).
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse } from '#contract';
import { PushResponse } from '#contract';
import { createServer } from '../../../server/app';
import { makeOtp, newYubikeySecret } from '../../../server/auth/password/yubikey-otp';
import { migrate, openPostgres, type Db } from '../../../server/db';
import { grantRuntimeRole } from '../../../server/db/roles';
import { seedDemoData } from '../../../server/demo';
import { SERVER_KINDS } from '../../../server/kinds';
import { generateTestPki, issuePersonCard } from '../../../tools/pki/index';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../../support/postgres';
import { authOptions, loginToken } from '../../unit/server/auth-suite';

const run = promisify(execFile);
const suffix = randomBytes(4).toString('hex');
const OWNER = `omsorg_owner_${suffix}`;
const RUNTIME = `omsorg_app_${suffix}`;
/** The person the server test logs in as. */
const ANNA = 'SE2321000131-P000000000101';

let database: TestDatabase;
let ownerDb: Db;
let runtimeDb: Db;
const urlAs = (user: string) => {
  const url = new URL(database.url);
  url.username = user;
  return url.toString();
};
const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/** Runs `sql` with the psql binary as `user`; resolves with its exit code and stderr. */
async function psql(user: string, sql: string): Promise<{ code: number; stderr: string }> {
  try {
    await run('psql', [urlAs(user), '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-c', sql]);
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  database = await createTestDatabase('roles');
  await admin(`CREATE ROLE ${OWNER} LOGIN; CREATE ROLE ${RUNTIME} LOGIN`);
  await admin(`ALTER DATABASE ${database.name} OWNER TO ${OWNER}`);
  ownerDb = await openPostgres({ connectionString: urlAs(OWNER) });
  await migrate(ownerDb);
  await seedDemoData(ownerDb);
  await grantRuntimeRole(ownerDb, RUNTIME, SERVER_KINDS);
  runtimeDb = await openPostgres({ connectionString: urlAs(RUNTIME) });
}, 120_000);

afterAll(async () => {
  await runtimeDb?.close();
  await ownerDb?.close();
  await database?.drop();
  await admin(`DROP ROLE IF EXISTS ${RUNTIME}; DROP ROLE IF EXISTS ${OWNER}`).catch(() => undefined);
});

/** Every statement fails for the runtime role with an error matching `why`. */
async function expectRefused(statements: string[], why: RegExp): Promise<void> {
  for (const sql of statements) {
    const r = await psql(RUNTIME, sql);
    expect(r.code, sql).not.toBe(0);
    expect(r.stderr, sql).toMatch(why);
  }
}

describe('the runtime role, from psql', () => {
  it('cannot disable, drop or replace the triggers that guard the journal and the access log', async () => {
    await expectRefused([
      'ALTER TABLE journal_entries DISABLE TRIGGER USER',
      'ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_delete',
      'DROP TRIGGER journal_entries_no_change ON journal_entries',
      'DROP FUNCTION access_log_append_only() CASCADE',
    ], /must be owner/);
  });

  it('cannot change or delete a journal entry, an assignment event or an access-log row, nor truncate them', async () => {
    await expectRefused([
      'DELETE FROM journal_entries',
      "UPDATE journal_entries SET text = 'omskriven'",
      'TRUNCATE journal_entries CASCADE',
      'DELETE FROM access_log',
      "UPDATE access_log SET action = 'read'",
      'DELETE FROM assignment_events',
    ], /permission denied/);
  });

  it('cannot delete a permission or a role grant, ended or not, nor the evidence chain (issue 25 point 8)', async () => {
    // One permission ended, as an administrator ends it: never Anna's (she logs in below; which
    // permission comes first by its random id differs from run to run, and hers made that login a 403).
    await ownerDb.query(
      `UPDATE permissions SET valid_to = current_date - 1, ended_at = now()
        WHERE id = (SELECT p.id FROM permissions p JOIN staff s ON s.id = p.staff_id WHERE s.hsa_id <> $1 ORDER BY p.id LIMIT 1)`,
      [ANNA],
    );
    await expectRefused([
      'DELETE FROM permissions WHERE ended_at IS NOT NULL',
      'DELETE FROM permissions',
      'DELETE FROM role_grants',
      'DELETE FROM evidence_chain',
      "UPDATE evidence_chain SET row_digest = repeat('0', 64)",
    ], /permission denied/);
    // The owner cannot delete the ended one either (a trigger, for every role).
    await expect(ownerDb.query('DELETE FROM permissions WHERE ended_at IS NOT NULL')).rejects.toThrow(/an ended grant is kept/);
  });

  it('cannot change or delete a sent message, a thread, a read receipt or an attachment (docs/messages.md)', async () => {
    await expectRefused([
      "UPDATE messages SET text = 'omskriven'",
      "UPDATE message_attachments SET file_name = 'annan.pdf'",
      'DELETE FROM message_attachments',
      'DELETE FROM messages',
      "UPDATE message_threads SET subject = 'annat'",
      'DELETE FROM message_reads',
      'TRUNCATE messages CASCADE',
      'ALTER TABLE messages DISABLE TRIGGER messages_no_change',
    ], /permission denied|must be owner/);
  });

  it('cannot delete a YubiKey (revoked, never deleted), nor change the password tables\' shape (issue 29)', async () => {
    await expectRefused(['DELETE FROM yubikeys'], /permission denied/);
    await expectRefused(['ALTER TABLE staff_credentials DROP CONSTRAINT staff_credentials_password_hash_check', 'ALTER TABLE yubikeys DISABLE TRIGGER ALL'], /must be owner/);
  });

  it('runs no DDL', async () => {
    await expectRefused(['CREATE TABLE shadow (id int)', 'ALTER TABLE clients ADD COLUMN x int', 'DROP TABLE day_notes'], /permission denied|must be owner/);
  });

  it('the owner can (so the refusals above are the roles, not the triggers alone)', async () => {
    const r = await psql(OWNER, 'ALTER TABLE journal_entries DISABLE TRIGGER USER; ALTER TABLE journal_entries ENABLE TRIGGER USER');
    expect(r).toEqual({ code: 0, stderr: '' });
  });
});

describe('the server as the runtime role', () => {
  let app: FastifyInstance;
  afterAll(async () => {
    await app?.close();
  });

  it('logs in, pushes a journal entry, marks it erroneous and records an access-log event', async () => {
    const pki = await generateTestPki();
    app = createServer({ db: runtimeDb, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
    await app.ready();
    const card = await issuePersonCard(pki, { hsaId: ANNA, givenName: 'Anna', familyName: 'Lindqvist', algorithm: 'ec', withSignatureKey: false });
    const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(card, nonce) });
    expect(login.statusCode, login.body).toBe(200);
    const headers = { authorization: `Bearer ${(login.json() as { token: string }).token}` };
    const { rows } = await runtimeDb.query<{ id: string }>(
      `SELECT c.id FROM clients c JOIN units u ON u.id = c.unit_id WHERE u.name = 'Hemtjänst Majorna' LIMIT 1`,
    );
    const clientId = rows[0]!.id;
    const entryId = randomUUID();
    const now = new Date().toISOString();
    const push = await app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers,
      payload: {
        mutations: [
          { mutationId: randomUUID(), createdAt: now, type: 'journal_entry.create', record: { id: entryId, clientId, eventDate: now.slice(0, 10), text: 'Promenad', lifeArea: null, assignmentId: null, correctsId: null } },
          { mutationId: randomUUID(), createdAt: now, type: 'journal_entry.mark_erroneous', record: { id: entryId, reason: 'Fel brukare' } },
        ],
      },
    });
    expect(push.statusCode, push.body).toBe(200);
    expect(PushResponse.parse(push.json()).results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const events = await app.inject({
      method: 'POST',
      url: '/api/v1/access-log/events',
      headers,
      payload: { events: [{ action: 'read', clientId, recordType: 'journal', at: now }] },
    });
    expect(events.statusCode, events.body).toBe(200);

    // Password + YubiKey (issue 29): enrolment by the administrator and the login, all as the runtime role.
    const peter = await issuePersonCard(pki, { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', algorithm: 'ec', withSignatureKey: false });
    const adminNonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
    const adminLogin = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(peter, adminNonce) });
    const asAdmin = { authorization: `Bearer ${(adminLogin.json() as { token: string }).token}` };
    const annaId = (await runtimeDb.query<{ id: string }>(`SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000101'`)).rows[0]!.id;
    const key = newYubikeySecret();
    for (const [url, payload] of [
      ['/api/v1/admin/credentials/methods', { passwordSms: true, passwordYubikey: true }],
      ['/api/v1/admin/credentials/password', { staffId: annaId, username: 'anna.roll', password: 'Rollprov lösenord 1', phone: null }],
      ['/api/v1/admin/credentials/yubikeys', { staffId: annaId, verification: 'local', ...key }],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, headers: asAdmin, payload });
      expect(res.statusCode, res.body).toBe(200);
    }
    const step = await app.inject({ method: 'POST', url: '/api/v1/auth/password/start', payload: { username: 'anna.roll', password: 'Rollprov lösenord 1' } });
    expect(step.statusCode, step.body).toBe(200);
    const done = await app.inject({ method: 'POST', url: '/api/v1/auth/password/verify', payload: { loginToken: (step.json() as { loginToken: string }).loginToken, code: makeOtp(key, 1, 0) } });
    expect(done.statusCode, done.body).toBe(200);
  });
});
