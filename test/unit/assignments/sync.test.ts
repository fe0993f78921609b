import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Change, PullResponse, RecordType, type PermittedUnit } from '#contract';
import { swedishDate } from '#contract';
import { actOnAssignment, sendAssignment } from '../../../server/assignments/store';
import { SqlStaffDirectory, type StaffRecord } from '../../../server/auth/staff';
import type { Db } from '../../../server/db/types';
import { SERVER_REGISTRY } from '../../../server/kinds';
import { pullChanges } from '../../../server/sync/pull';
import { demoDb } from '../server/helpers';

/** Assignments in the sync feed (server/migrations/0005_assignment_sync.sql, server/sync/pull.ts). */
describe('assignments in the sync feed (PGlite)', { timeout: 60_000 }, () => {
  let db: Db;
  let maria: StaffRecord;
  let anna: StaffRecord;
  const units: Record<'hemtjanst' | 'daglig', PermittedUnit> = {} as never;
  const pull = async (u: PermittedUnit[], cursors: Record<string, number> = {}) =>
    PullResponse.parse(JSON.parse((await pullChanges(db, SERVER_REGISTRY.pull, { units: u, cursors, now: new Date(), retentionDays: { day_note: 90 }, limit: 5000 })).json));
  const ofType = (changes: Change[]) => changes.filter((c) => c.type === 'assignment');

  beforeAll(async () => {
    db = await demoDb();
    const staff = new SqlStaffDirectory(db);
    maria = (await staff.findStaffByHsaId('SE2120001355-P000000000201'))!;
    anna = (await staff.findStaffByHsaId('SE2321000131-P000000000101'))!;
    const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM units');
    for (const r of rows) {
      const key = r.name === 'Hemtjänst Majorna' ? 'hemtjanst' : 'daglig';
      units[key] = { unitId: r.id, name: r.name, validFrom: '2020-01-01', validTo: null };
    }
  }, 120_000);
  afterAll(async () => db?.close());

  it('a pull from 0 hands out every assignment of the unit with its history, and none of other units', async () => {
    const first = await pull([units.hemtjanst]);
    const assignments = ofType(first.changes);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assignments WHERE unit_id = $1', [units.hemtjanst.unitId]);
    expect(assignments.length).toBe(rows[0]!.n);
    expect(assignments.length).toBeGreaterThan(0);
    for (const c of assignments) {
      expect(c.op).toBe('upsert');
      if (c.op === 'upsert' && c.type === 'assignment') {
        expect(c.record.unitId).toBe(units.hemtjanst.unitId);
        expect(c.record.history.length).toBe(c.record.version);
      }
    }
    expect(() => Change.array().parse(first.changes)).not.toThrow();
  });

  it('assignments come in seq order among the other changes, whole or in pages of any size, and one moved to another unit is a delete', async () => {
    const whole = await pull([units.hemtjanst]);
    const seqs = whole.changes.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Every registered kind has demo records in the unit (server/seed/) but messages: the seed
    // starts no conversations (the registry suite pushes its own); and deviations, which reach
    // only their reporter (the feed's audience, docs/deviations.md), not this reader.
    expect(new Set(whole.changes.map((c) => c.type))).toEqual(new Set(RecordType.options.filter((t) => t !== 'message_thread' && t !== 'message' && t !== 'deviation')));
    for (const limit of [1, 2, 5]) {
      let cursors = {};
      const paged: Change[] = [];
      for (let hasMore = true; hasMore; ) {
        const page = PullResponse.parse(JSON.parse((await pullChanges(db, SERVER_REGISTRY.pull, { units: [units.hemtjanst], cursors, now: new Date(), retentionDays: { day_note: 90 }, limit })).json));
        expect(page.changes.length).toBeLessThanOrEqual(limit);
        paged.push(...page.changes);
        ({ cursors, hasMore } = page);
      }
      expect(paged).toEqual(whole.changes);
    }
    // An assignment whose row now belongs to another unit: a delete for a workstation that has it,
    // nothing for one pulling from 0 (the change stays in the old unit's feed until it is compacted).
    const moved = ofType(whole.changes)[0]!;
    await db.query('ALTER TABLE assignments DISABLE TRIGGER USER');
    try {
      await db.query('UPDATE assignments SET unit_id = $1 WHERE id = $2', [units.daglig.unitId, moved.id]);
      const feed = await db.query<{ seq: string }>(`SELECT seq FROM changes WHERE record_id = $1 AND unit_id = $2`, [moved.id, units.hemtjanst.unitId]);
      const since = { [units.hemtjanst.unitId]: Number(feed.rows[0]!.seq) - 1 };
      const after = await pull([units.hemtjanst], since);
      expect(after.changes.find((c) => c.id === moved.id)).toMatchObject({ op: 'delete', type: 'assignment' });
      expect((await pull([units.hemtjanst])).changes.find((c) => c.id === moved.id)).toBeUndefined();
    } finally {
      await db.query('UPDATE assignments SET unit_id = $1 WHERE id = $2', [units.hemtjanst.unitId, moved.id]);
      await db.query('ALTER TABLE assignments ENABLE TRIGGER USER');
    }
  });

  it('a new assignment, and every action on it, is an upsert in the next pull; the old cursor sees only that', async () => {
    const before = await pull([units.hemtjanst]);
    const { rows } = await db.query<{ personnummer: string }>('SELECT personnummer FROM clients WHERE unit_id = $1 LIMIT 1', [units.hemtjanst.unitId]);
    const today = swedishDate(new Date());
    const sent = await sendAssignment(
      db,
      {
        client: { personnummer: rows[0]!.personnummer.trim() },
        decision: { reference: 'BIS-SYNC-1', date: today },
        services: [{ name: 'Hemtjänst', grantedHours: 10, per: 'month' }],
        startDate: today,
        freeText: '',
      },
      { actor: maria, now: new Date() },
    );
    const next = await pull([units.hemtjanst], before.cursors);
    expect(ofType(next.changes).map((c) => c.id)).toEqual([sent.id]);
    await actOnAssignment(db, sent.id, new Set([units.hemtjanst.unitId]), { kind: 'provider', action: { type: 'confirm' } }, { actor: anna, now: new Date() });
    const after = await pull([units.hemtjanst], next.cursors);
    const c = ofType(after.changes)[0];
    expect(c?.op === 'upsert' && c.type === 'assignment' && c.record.status).toBe('confirmed');
    expect(c?.op === 'upsert' && c.type === 'assignment' && c.record.history.map((h) => h.action)).toEqual(['send', 'confirm']);
  });
});
