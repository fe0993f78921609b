/**
 * Deviations and lex Sarah (issue 27; docs/deviations.md) on a real PostgreSQL server: a report is
 * pushed once however often it is sent, and only its reporter pulls it back (a colleague's feed
 * carries nothing of it); the unit's manager handles it in append-only steps in the order the
 * handling follows, a serious case with its IVO due day; the case officer of the assignment is
 * informed by a secure message and reads it without the reporter, every read in the access log;
 * another unit's manager, another organisation's manager and staff see nothing (403/404).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviationCase, DeviationPatterns, DeviationStats, OfficerDeviation, PullResponse, PushResponse, swedishDate, type Change, type DeviationListItem, type DeviationStepInput, type Mutation, API_VERSION, API_VERSION_HEADER } from '#contract';
import { createServer } from '../../../server/app';
import { openPostgres, type Db } from '../../../server/db';
import { insertDeviation } from '../../../server/deviations/store';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';

const PEOPLE = {
  anna: { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' },
  sara: { hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' },
  officer: { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' },
  unitManager: { hsaId: 'SE2321000131-P000000000301', givenName: 'Helena', familyName: 'Chef' },
  otherUnitManager: { hsaId: 'SE2321000131-P000000000302', givenName: 'Dag', familyName: 'Chef' },
  otherOrgManager: { hsaId: 'SE2321000131-P000000000303', givenName: 'Olga', familyName: 'Annan' },
} as const;
type Who = keyof typeof PEOPLE;

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let pki: TestPki;
const tokens = {} as Record<Who, string>;
const staffIds = {} as Record<Who, string>;
let units: { hemtjanst: string; daglig: string };
/** A hemtjänst client with an executed assignment sent by Maria Ek. */
let clientId: string;
let assignmentId: string;

const call = async (who: Who, method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}`, 'x-workstation': 'WS-AVV', [API_VERSION_HEADER]: String(API_VERSION) }, ...(payload === undefined ? {} : { payload }) });
  return { status: r.statusCode, body: r.body, json: () => r.json() as unknown };
};
const push = async (who: Who, ...mutations: Mutation[]) => {
  const r = await call(who, 'POST', '/api/v1/sync/push', { mutations });
  expect(r.status, r.body).toBe(200);
  return PushResponse.parse(r.json());
};
const pullAll = async (who: Who): Promise<Change[]> => {
  const changes: Change[] = [];
  let cursors = {};
  for (;;) {
    const r = await call(who, 'POST', '/api/v1/sync/pull', { cursors, limit: 1000 });
    expect(r.status, r.body).toBe(200);
    const page = PullResponse.parse(r.json());
    changes.push(...page.changes);
    cursors = page.cursors;
    if (!page.hasMore) return changes;
  }
};
const report = (extra: Partial<Extract<Mutation, { type: 'deviation.report' }>['record']> = {}): Extract<Mutation, { type: 'deviation.report' }> => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'deviation.report',
  record: {
    id: randomUUID(), unitId: units.hemtjanst, clientId, assignmentId, occurredAt: new Date(Date.now() - 3_600_000).toISOString(), place: 'Brukarens kök',
    category: 'missed_visit', description: 'Lunchbesöket blev inte av.', consequence: 'Brukaren åt ingen lunch.', immediateAction: 'Ringde brukaren.', lexSarah: 'yes',
    ...extra,
  },
});
const step = (who: Who, id: string, s: DeviationStepInput) => call(who, 'POST', `/api/v1/deviations/${id}/steps`, s);

beforeAll(async () => {
  database = await createSeededDatabase('deviations');
  db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
  await app.ready();
  const { rows: u } = await db.query<{ id: string; name: string; organisation_id: string }>('SELECT id, name, organisation_id FROM units');
  units = { hemtjanst: u.find((x) => x.name === 'Hemtjänst Majorna')!.id, daglig: u.find((x) => x.name === 'Daglig verksamhet Hisingen')!.id };
  const org = u[0]!.organisation_id;
  // Managers: one of the home-care unit only, one of the daily activities only, one of another provider.
  const { rows: other } = await db.query<{ org: string; unit: string }>(
    `WITH o AS (INSERT INTO organisations (name, municipality) VALUES ('Annan Omsorg AB', 'Göteborg') RETURNING id)
     INSERT INTO units (organisation_id, name, service_type) SELECT id, 'Hemtjänst Annan', 'hemtjanst' FROM o RETURNING organisation_id AS org, id AS unit`,
  );
  const managers: [Who, string, string | null][] = [['unitManager', org, units.hemtjanst], ['otherUnitManager', org, units.daglig], ['otherOrgManager', other[0]!.org, null]];
  for (const [who, organisation, unit] of managers) {
    const p = PEOPLE[who];
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, $2, $3, 'Enhetschef', 'manager', $4) RETURNING id`,
      [p.hsaId, p.givenName, p.familyName, organisation],
    );
    await db.query(`INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at) VALUES ($1, $2, $3, 'manager', '2025-01-01', now())`, [rows[0]!.id, organisation, unit]);
  }
  await db.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) SELECT id, $2, '2025-01-01' FROM staff WHERE hsa_id = $1`, [PEOPLE.otherOrgManager.hsaId, other[0]!.unit]);
  for (const who of Object.keys(PEOPLE) as Who[]) {
    const session = who === 'officer' ? await sessionFor(app, await testCard(pki, PEOPLE[who]), 'officer') : await sessionFor(app, await testCard(pki, PEOPLE[who]));
    tokens[who] = session.token;
    staffIds[who] = session.user.id;
  }
  const { rows: a } = await db.query<{ id: string; client_id: string }>(
    `SELECT a.id, a.client_id FROM assignments a WHERE a.unit_id = $1 AND a.status = 'executed' AND a.sent_by_staff_id = $2 ORDER BY a.client_id LIMIT 1`,
    [units.hemtjanst, staffIds.officer],
  );
  assignmentId = a[0]!.id;
  clientId = a[0]!.client_id;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

describe('a deviation from the report to the report to IVO', () => {
  const m = () => report();
  let first: ReturnType<typeof report>;
  let id: string;

  it('is applied once however often it is pushed, and only its reporter pulls it back', async () => {
    first = m();
    id = first.record.id;
    const once = await push('anna', first);
    expect(once.results[0]).toMatchObject({ status: 'applied' });
    const again = await Promise.all([push('anna', first), push('anna', first)]);
    for (const r of again) expect(r.results).toEqual(once.results);
    expect((await db.query('SELECT 1 FROM deviations WHERE id = $1', [id])).rows).toHaveLength(1);

    const mine = (await pullAll('anna')).filter((c) => c.id === id);
    expect(mine.at(-1)).toMatchObject({ op: 'upsert', type: 'deviation', record: { status: 'reported', reportedBy: { staffId: staffIds.anna }, lexSarah: 'yes' } });
    // A colleague of the same unit: nothing of it, not even a delete.
    expect((await pullAll('sara')).filter((c) => c.id === id)).toEqual([]);
  });

  it('is refused with a Swedish reason for a client of another unit, an assignment of another client, a time in the future', async () => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM clients WHERE unit_id = $1 LIMIT 1', [units.daglig]);
    const r = await push(
      'anna',
      report({ clientId: rows[0]!.id, assignmentId: null }),
      report({ clientId: null }),
      report({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() }),
    );
    expect(r.results.map((x) => x.status)).toEqual(['refused', 'refused', 'refused']);
    expect(r.results.map((x) => (x.status === 'refused' ? x.error.message : ''))).toEqual([
      'Du har inte behörighet till brukaren. Behörigheten kan ha upphört.',
      'Uppdraget finns inte, eller gäller en annan brukare eller enhet.',
      'Händelsen kan inte ha inträffat i framtiden.',
    ]);
  });

  it('is seen by the unit’s manager, and not by staff, another unit’s manager or another organisation’s', async () => {
    const list = await call('unitManager', 'GET', '/api/v1/deviations');
    expect(list.status, list.body).toBe(200);
    expect((list.json() as { items: DeviationListItem[] }).items.map((i) => i.id)).toContain(id);
    for (const who of ['otherUnitManager', 'otherOrgManager'] as const) {
      const theirs = await call(who, 'GET', '/api/v1/deviations?state=all');
      expect(theirs.status).toBe(200);
      expect(theirs.body).not.toContain(id);
      expect(theirs.body).not.toContain(clientId);
      expect((await call(who, 'GET', `/api/v1/deviations/${id}`)).status).toBe(404);
      expect((await step(who, id, { id: randomUUID(), kind: 'received' })).status).toBe(404);
      expect((await pullAll(who)).filter((c) => c.id === id)).toEqual([]);
    }
    expect((await call('anna', 'GET', '/api/v1/deviations')).status).toBe(403);
    expect((await call('anna', 'GET', `/api/v1/deviations/${id}`)).status).toBe(403);
    expect((await call('officer', 'GET', '/api/v1/deviations')).status).toBe(403);
    // Before the manager has received it, the case officer does not see it.
    expect((await call('officer', 'GET', `/api/v1/officer/deviations/${id}`)).status).toBe(404);
  });

  it('is handled in order, each step once, and a serious case gets its IVO due day two weeks from the report', async () => {
    const early = await step('unitManager', id, { id: randomUUID(), kind: 'investigation', facts: 'Schemat saknade besöket.', clientView: '', causes: '' });
    expect(early.status).toBe(409);
    expect((early.json() as { error: { message: string } }).error.message).toBe('Steget kan inte antecknas nu: ta emot avvikelsen först.');

    const received = { id: randomUUID(), kind: 'received' as const };
    const r1 = await step('unitManager', id, received);
    expect(r1.status, r1.body).toBe(200);
    const again = await step('unitManager', id, received);
    expect(again.status).toBe(200);
    expect(DeviationCase.parse(again.json()).steps).toHaveLength(1);
    expect(DeviationCase.parse(again.json()).officerInformed).toBe(true);

    expect((await step('unitManager', id, { id: randomUUID(), kind: 'investigation', facts: 'Schemat saknade besöket.', clientView: 'Brukaren var orolig.', causes: 'Ny planerare.' })).status).toBe(200);
    const measure = { id: randomUUID(), kind: 'measure' as const, what: 'Kontroll av schemat varje fredag.', responsible: 'Planeraren', dueDate: swedishDate(new Date(), 7) };
    expect((await step('unitManager', id, measure)).status).toBe(200);
    const decided = await step('unitManager', id, { id: randomUUID(), kind: 'decision', decision: 'serious', reasoning: 'Brukaren blev utan mat och medicin.' });
    expect(decided.status, decided.body).toBe(200);
    const c = DeviationCase.parse(decided.json());
    expect(c.record.status).toBe('decided');
    expect(c.ivoDue).toBe(swedishDate(new Date(c.record.reportedAt), 14));

    const tooSoon = await step('unitManager', id, { id: randomUUID(), kind: 'closed', summary: '' });
    expect(tooSoon.status).toBe(409);
    expect((tooSoon.json() as { error: { message: string } }).error.message).toBe('Steget kan inte antecknas nu: anteckna anmälan till IVO först.');
    const list = (await call('unitManager', 'GET', '/api/v1/deviations')).json() as { items: DeviationListItem[] };
    expect(list.items.find((i) => i.id === id)).toMatchObject({ ivoDue: c.ivoDue, decision: 'serious' });

    expect((await step('unitManager', id, { id: randomUUID(), kind: 'ivo_report', reportedOn: swedishDate(new Date(), 1), reference: 'IVO 3.5.1-0001/2026' })).status).toBe(400);
    expect((await step('unitManager', id, { id: randomUUID(), kind: 'ivo_report', reportedOn: swedishDate(), reference: 'IVO 3.5.1-0001/2026' })).status).toBe(200);
    expect((await step('unitManager', id, { id: randomUUID(), kind: 'closed', summary: '' })).status).toBe(409); // the measure is not done
    expect((await step('unitManager', id, { id: randomUUID(), kind: 'measure_done', measureId: measure.id, doneOn: swedishDate() })).status).toBe(200);
    const closed = await step('unitManager', id, { id: randomUUID(), kind: 'closed', summary: 'Rutinen ändrad.' });
    expect(closed.status).toBe(200);
    expect(DeviationCase.parse(closed.json())).toMatchObject({ record: { status: 'closed' }, next: null, ivoDue: null });
    const after = await step('unitManager', id, { id: randomUUID(), kind: 'investigation', facts: 'Mer.', clientView: '', causes: '' });
    expect((after.json() as { error: { message: string } }).error.message).toBe('Avvikelsen är avslutad: inget kan läggas till.');

    // The reporter follows the status, not the investigation.
    const mine = (await pullAll('anna')).filter((x) => x.id === id).at(-1) as Extract<Change, { type: 'deviation'; op: 'upsert' }>;
    expect(mine.record).toMatchObject({ status: 'closed', decision: 'serious' });
    expect(JSON.stringify(mine.record)).not.toContain('Ny planerare');
  });

  it('keeps every step and the report as written: the database refuses to change or delete them', async () => {
    await expect(db.query(`UPDATE deviation_steps SET body = '{}' WHERE deviation_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM deviation_steps WHERE deviation_id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE deviations SET description = 'Annat' WHERE id = $1`, [id])).rejects.toThrow(/never changed/);
    await expect(db.query('DELETE FROM deviations WHERE id = $1', [id])).rejects.toThrow(/never deleted/);
  });

  it('informs the case officer of the assignment by a secure message; she reads it without the reporter, every read logged', async () => {
    const { rows: threads } = await db.query<{ participant_ids: string[] }>('SELECT participant_ids FROM message_threads WHERE assignment_id = $1', [assignmentId]);
    expect(threads.some((t) => t.participant_ids.includes(staffIds.officer))).toBe(true);
    const list = await call('officer', 'GET', '/api/v1/officer/deviations');
    expect(list.status, list.body).toBe(200);
    const mine = (list.json() as { deviations: OfficerDeviation[] }).deviations.find((d) => d.id === id)!;
    expect(mine).toMatchObject({ decision: 'serious', ivoReport: { reference: 'IVO 3.5.1-0001/2026' } });
    const one = await call('officer', 'GET', `/api/v1/officer/deviations/${id}`);
    expect(OfficerDeviation.parse(one.json()).measures).toHaveLength(1);
    for (const body of [list.body, one.body]) {
      expect(body).not.toContain('Lindqvist');
      expect(body).not.toContain(PEOPLE.anna.hsaId);
      expect(body).not.toContain(staffIds.anna);
    }
    const { rows } = await db.query<{ record_type: string }>(
      `SELECT record_type FROM access_log WHERE actor_staff_id = $1 AND action = 'read' AND client_id = $2 AND record_id = $3 ORDER BY id`,
      [staffIds.officer, clientId, id],
    );
    expect(rows.map((r) => r.record_type)).toEqual(['deviation_list', 'deviation']);
    // The manager's reading and every step are in the log too.
    const { rows: manager } = await db.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM access_log WHERE actor_staff_id = $1 AND record_id = $2 GROUP BY action ORDER BY action`,
      [staffIds.unitManager, id],
    );
    expect(manager).toEqual([{ action: 'change', n: 7 }]);
  });
});

describe('the manager’s list and the follow-up', () => {
  it('puts overdue steps first', async () => {
    const { rows } = await db.query<{ id: string; hsa_id: string; name: string; title: string }>(`SELECT id, hsa_id, given_name || ' ' || family_name AS name, title FROM staff WHERE hsa_id = $1`, [PEOPLE.sara.hsaId]);
    const sara = { id: rows[0]!.id, hsaId: rows[0]!.hsa_id, name: rows[0]!.name, title: rows[0]!.title };
    const old = report({ assignmentId: null, category: 'fall' }).record;
    await insertDeviation(db, old, sara, new Date(Date.now() - 10 * 86_400_000), new Date().toISOString());
    const fresh = report({ assignmentId: null }).record;
    await insertDeviation(db, fresh, sara, new Date(), new Date().toISOString());
    const items = ((await call('unitManager', 'GET', `/api/v1/deviations?unitId=${units.hemtjanst}`)).json() as { items: DeviationListItem[] }).items;
    const at = (x: string) => items.findIndex((i) => i.id === x);
    expect(items.find((i) => i.id === old.id)).toMatchObject({ overdue: true, next: 'received' });
    expect(at(old.id)).toBeLessThan(at(fresh.id));
    const firstNotOverdue = items.findIndex((i) => !i.overdue);
    expect(items.slice(firstNotOverdue).some((i) => i.overdue)).toBe(false);
  });

  it('gives the median lead times of a unit’s month and category, not the mean', async () => {
    const { rows } = await db.query<{ id: string; hsa_id: string; name: string; title: string }>(`SELECT id, hsa_id, given_name || ' ' || family_name AS name, title FROM staff WHERE hsa_id = 'SE2321000131-P000000000103'`);
    const sara = { id: rows[0]!.id, hsaId: rows[0]!.hsa_id, name: rows[0]!.name, title: rows[0]!.title };
    const reportedAt = new Date('2025-03-10T09:00:00Z');
    // Received after 20, 0.5, 2 and 1 days (median 1.5, mean 5.9); three closed after 10, 1 and 2 days (median 2, mean 4.3). Written in no order.
    const leads: [number, number | null][] = [[20, null], [0.5, 1], [2, 10], [1, 2]];
    for (const [received, closed] of leads) {
      const r = report({ assignmentId: null, category: 'hygiene_care', occurredAt: reportedAt.toISOString() }).record;
      await insertDeviation(db, r, sara, reportedAt, reportedAt.toISOString());
      await db.query(`UPDATE deviations SET received_at = reported_at + $2 * interval '1 day' WHERE id = $1`, [r.id, received]);
      if (closed !== null) await db.query(`UPDATE deviations SET closed_at = reported_at + $2 * interval '1 day' WHERE id = $1`, [r.id, closed]);
    }
    const res = await call('unitManager', 'GET', `/api/v1/deviation-stats?from=2025-03-01&to=2025-03-31&unitId=${units.hemtjanst}`);
    expect(res.status, res.body).toBe(200);
    const row = DeviationStats.parse(res.json()).rows.find((x) => x.category === 'hygiene_care' && x.month === '2025-03');
    expect(row).toEqual({ unitId: units.hemtjanst, category: 'hygiene_care', month: '2025-03', count: 4, closed: 3, daysToReceive: 1.5, daysToClose: 2 });
  });

  it('counts per unit, category and month with lead times, and shows the same client at the same hour again', async () => {
    const at = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const r = await push('anna', report({ assignmentId: null, occurredAt: at, category: 'treatment' }), report({ assignmentId: null, occurredAt: at, category: 'treatment' }));
    expect(r.results.every((x) => x.status === 'applied')).toBe(true);
    const today = swedishDate();
    const res = await call('unitManager', 'GET', `/api/v1/deviation-stats?from=${today.slice(0, 4)}-01-01&to=${today}`);
    expect(res.status, res.body).toBe(200);
    const stats = DeviationStats.parse(res.json());
    const row = stats.rows.find((x) => x.unitId === units.hemtjanst && x.category === 'treatment' && x.month === today.slice(0, 7));
    expect(row).toMatchObject({ count: 2, closed: 0, daysToClose: null });
    const missed = stats.rows.find((x) => x.category === 'missed_visit' && x.month === today.slice(0, 7))!;
    expect(missed.closed).toBe(1);
    expect(missed.daysToClose).toBeGreaterThanOrEqual(0);
    const res2 = await call('unitManager', 'GET', `/api/v1/deviation-patterns?from=${today.slice(0, 4)}-01-01&to=${today}`);
    expect(res2.status, res2.body).toBe(200);
    const patterns = DeviationPatterns.parse(res2.json());
    expect(patterns.clients.find((c) => c.clientId === clientId)!.count).toBeGreaterThanOrEqual(3);
    expect(patterns.clientHours.some((c) => c.clientId === clientId && c.count >= 2)).toBe(true);
    // Another unit's manager: only her unit in the figures.
    const theirs = DeviationStats.parse((await call('otherUnitManager', 'GET', `/api/v1/deviation-stats?from=${today.slice(0, 4)}-01-01&to=${today}`)).json());
    expect(theirs.rows.every((x) => x.unitId === units.daglig)).toBe(true);
    expect(JSON.stringify(theirs)).not.toContain(clientId);
    const theirPatterns = await call('otherUnitManager', 'GET', `/api/v1/deviation-patterns?from=${today.slice(0, 4)}-01-01&to=${today}`);
    expect(theirPatterns.status).toBe(200);
    expect(theirPatterns.body).not.toContain(clientId);
    expect((await call('otherUnitManager', 'GET', `/api/v1/deviation-stats?from=2026-01-01&to=2026-12-31&unitId=${units.hemtjanst}`)).status).toBe(404);
  });
});
