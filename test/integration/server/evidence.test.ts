/**
 * Evidence (issue 25 point 8; docs/security.md), on a real PostgreSQL:
 * - messages, incidents and the permission history are in a hash chain; `verifyLogs` (npm run
 *   verify-log) finds a row changed or removed behind the server's back (as the superuser, triggers
 *   off), and says how many rows no checkpoint covers yet and how old they are;
 * - two simultaneous confirmations of one grant write one "confirmed" event;
 * - one administrator cannot end another's administrator role alone (four-eyes), and the last
 *   administrator cannot end her own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swedishDate } from '#contract';
import { confirm, end, findGrant, grant, type Actor } from '../../../server/admin/grants';
import { verifyEvidenceChain } from '../../../server/audit/evidence-chain';
import { verifyLogs } from '../../../server/audit/verify';
import { openPostgres, type Db } from '../../../server/db';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';

let database: TestDatabase;
let db: Db;
let organisationId: string;
/** Three people of the demo organisation, none an administrator yet (Anna, Leila, Olle …). */
let people: { id: string; name: string }[];
beforeAll(async () => {
  database = await createSeededDatabase('evidence');
  db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  const { rows } = await db.query<{ id: string; name: string; organisation_id: string }>(
    `SELECT s.id, s.given_name || ' ' || s.family_name AS name, s.organisation_id FROM staff s
      WHERE s.organisation_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.staff_id = s.id) ORDER BY s.hsa_id LIMIT 4`,
  );
  organisationId = rows[0]!.organisation_id;
  people = rows.filter((r) => r.organisation_id === organisationId).map((r) => ({ id: r.id, name: r.name }));
}, 120_000);
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const actorOf = (p: { id: string; name: string }): Actor => ({ ...p, organisationId });
const today = () => swedishDate(new Date());
const events = async (grantId: string, action: string) =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM permission_events WHERE grant_id = $1 AND action = $2', [grantId, action])).rows[0]!.n;
/** As the superuser, around the triggers: what the chain is for. */
const tamper = (table: string, sql: string, params: unknown[] = []) =>
  db.transaction(async (tx) => {
    await tx.exec(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    await tx.query(sql, params);
    await tx.exec(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
  });

describe('administrators: four eyes both ways, one confirmation', () => {
  it('two simultaneous confirmations of one grant: one succeeds, one CONFLICT, one "confirmed" event', async () => {
    const [a, b, c, target] = people;
    // a and b: administrators from the installation (bootstrap, confirmed).
    for (const p of [a!, b!]) await db.transaction((tx) => grant(tx, null, organisationId, { staffId: p.id, role: 'it_contact', unitId: null, validFrom: today(), validTo: null }, new Date()));
    const pending = await db.transaction((tx) => grant(tx, actorOf(a!), organisationId, { staffId: target!.id, role: 'it_contact', unitId: null, validFrom: today(), validTo: null }, new Date()));
    expect(pending.status).toBe('pending_confirmation');
    const attempt = (who: { id: string; name: string }) =>
      db.transaction(async (tx) => confirm(tx, actorOf(who), await findGrant(tx, organisationId, pending.id), new Date())).then(
        () => 'ok',
        (e: { code?: string }) => e.code ?? 'error',
      );
    const outcomes = await Promise.all([attempt(b!), attempt(c!)]);
    expect(outcomes.sort()).toEqual(['CONFLICT', 'ok']);
    expect(await events(pending.id, 'confirmed')).toBe(1);
  });

  it("one administrator cannot end another's administrator role alone: the first asks, a second ends it; the asker cannot finish it herself", async () => {
    const [a, b, , d] = people;
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM role_grants WHERE staff_id = $1 AND role = 'it_contact'`, [b!.id]);
    const grantId = rows[0]!.id;
    const byA = await db.transaction(async (tx) => end(tx, actorOf(a!), await findGrant(tx, organisationId, grantId), new Date()));
    expect(byA.status).toBe('active');
    expect(await events(grantId, 'end_requested')).toBe(1);
    await expect(db.transaction(async (tx) => end(tx, actorOf(a!), await findGrant(tx, organisationId, grantId), new Date()))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // d was confirmed as administrator in the test before.
    const byD = await db.transaction(async (tx) => end(tx, actorOf(d!), await findGrant(tx, organisationId, grantId), new Date()));
    expect(byD.status).toBe('ended');
    expect(await events(grantId, 'ended')).toBe(1);
  });

  it('the last administrator cannot end her own role; with another one left she can', async () => {
    const [a, , , d] = people;
    // Every other organisation-wide administrator's role ends (the seed's too), leaving a and d.
    const others = await db.query<{ id: string; staff_id: string }>(
      `SELECT id, staff_id FROM role_grants WHERE organisation_id = $1 AND role = 'it_contact' AND ended_at IS NULL AND staff_id <> ALL($2::uuid[])`,
      [organisationId, [a!.id, d!.id]],
    );
    for (const g of others.rows) await db.query('UPDATE role_grants SET valid_to = current_date - 1, ended_at = now() WHERE id = $1', [g.id]);
    const own = async (p: { id: string; name: string }) => {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM role_grants WHERE staff_id = $1 AND role = 'it_contact' AND ended_at IS NULL`, [p.id]);
      return db.transaction(async (tx) => end(tx, actorOf(p), await findGrant(tx, organisationId, rows[0]!.id), new Date()));
    };
    expect((await own(a!)).status).toBe('ended');
    await expect(own(d!)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/sista administratör/) });
  });

  it('an ended grant is kept: not deleted and not reopened, even by the owner', async () => {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM role_grants WHERE ended_at IS NOT NULL LIMIT 1`);
    await expect(db.query('DELETE FROM role_grants WHERE id = $1', [rows[0]!.id])).rejects.toThrow(/an ended grant is kept/);
    await expect(db.query('UPDATE role_grants SET valid_to = NULL, ended_at = NULL WHERE id = $1', [rows[0]!.id])).rejects.toThrow(/cannot be changed/);
  });
});

describe('the evidence chain', () => {
  let threadId: string;
  beforeAll(async () => {
    // A thread and a message, written as the server writes them (its triggers on).
    const [a, b] = people;
    const unit = (await db.query<{ id: string }>('SELECT id FROM units WHERE organisation_id = $1 LIMIT 1', [organisationId])).rows[0]!.id;
    threadId = randomUUID();
    const who = (p: { id: string; name: string }) => ({ staffId: p.id, name: p.name, title: 'Undersköterska' });
    await db.query(
      `INSERT INTO message_threads (id, unit_id, subject, to_unit, participant_ids, participants, author_staff_id, author_hsa_id, author_name, author_title)
       VALUES ($1, $2, 'Nyckeln', false, $3::uuid[], $4::jsonb, $5, 'SE2321000131-P000000000101', $6, 'Undersköterska')`,
      [threadId, unit, [a!.id, b!.id], JSON.stringify([who(a!), who(b!)]), a!.id, a!.name],
    );
    await db.query(
      `INSERT INTO messages (id, thread_id, unit_id, text, author_staff_id, author_hsa_id, author_name, author_title)
       VALUES ($1, $2, $3, 'Nyckeln ligger i lådan.', $4, 'SE2321000131-P000000000101', $5, 'Undersköterska')`,
      [randomUUID(), threadId, unit, a!.id, a!.name],
    );
  });

  it('covers the permission history, messages and incidents, and holds untouched', async () => {
    const r = await verifyEvidenceChain(db);
    expect(r.ok, JSON.stringify(r.brokenAt)).toBe(true);
    expect(r.rows.permission_events).toBeGreaterThan(0);
    expect(r.rows.messages).toBe(1);
    expect(r.rows.message_threads).toBe(1);
    expect(r.links).toBeGreaterThanOrEqual(Object.values(r.rows).reduce((a, b) => a + b, 0));
  });

  it('finds a message added behind the server’s back (no link), and one rewritten', async () => {
    const id = randomUUID();
    await tamper(
      'messages',
      `INSERT INTO messages (id, thread_id, unit_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at)
       SELECT $1, thread_id, unit_id, 'Inskjutet i efterhand', author_staff_id, author_hsa_id, author_name, author_title, created_at FROM messages WHERE thread_id = $2 LIMIT 1`,
      [id, threadId],
    );
    expect((await verifyEvidenceChain(db)).brokenAt).toEqual({ table: 'messages', key: id, reason: 'row_without_link' });
    await tamper('messages', 'DELETE FROM messages WHERE id = $1', [id]);
    expect((await verifyEvidenceChain(db)).ok).toBe(true);
    const { rows } = await db.query<{ id: string }>('SELECT id FROM messages WHERE thread_id = $1', [threadId]);
    await tamper('messages', `UPDATE messages SET text = 'Omskrivet' WHERE id = $1`, [rows[0]!.id]);
    expect((await verifyEvidenceChain(db)).brokenAt).toEqual({ table: 'messages', key: rows[0]!.id, reason: 'row_changed' });
    await tamper('messages', `UPDATE messages SET text = 'Nyckeln ligger i lådan.' WHERE id = $1`, [rows[0]!.id]);
    expect((await verifyEvidenceChain(db)).ok).toBe(true);
  });

  it('finds a permission event rewritten, and one removed', async () => {
    const { rows } = await db.query<{ id: string }>('SELECT id::text FROM permission_events ORDER BY id LIMIT 2');
    await tamper('permission_events', `UPDATE permission_events SET actor_name = 'Någon annan' WHERE id = $1`, [rows[0]!.id]);
    expect((await verifyEvidenceChain(db)).brokenAt).toEqual({ table: 'permission_events', key: rows[0]!.id, reason: 'row_changed' });
    await tamper('permission_events', 'DELETE FROM permission_events WHERE id = $1', [rows[0]!.id]);
    expect((await verifyEvidenceChain(db)).brokenAt).toEqual({ table: 'permission_events', key: rows[0]!.id, reason: 'row_removed' });
    const all = await verifyLogs(db);
    expect(all.ok).toBe(false);
    expect(all.evidence.ok).toBe(false);
  });

  it('says how many rows no checkpoint covers and how old the newest and oldest of them are', async () => {
    const r = await verifyLogs(db);
    expect(r.unanchored.rows).toBeGreaterThan(0);
    expect(r.unanchored.newestAgeS).not.toBeNull();
    expect(r.unanchored.oldestAgeS!).toBeGreaterThanOrEqual(r.unanchored.newestAgeS!);
  });
});
