/**
 * One action, one record (issue 32): EVERY create the server accepts — every POST route Fastify
 * declares (server/http/route-list.ts) and every mutation type of every synced kind (SYNC_KINDS) —
 * is sent twice with the same client-made id, and twice at once with another, against the real
 * PostgreSQL: each id makes exactly one record, and the second answer names the first one's.
 *
 * A new POST route or mutation type fails this suite until it has a line below: in CREATES /
 * CREATE_MUTATIONS (a probe and the table its records land in), or in NOT_CREATES /
 * NOT_CREATE_MUTATIONS with the reason it makes no record. A new synced kind (avvikelser) is
 * covered by one line per create mutation.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyPlanContent, swedishDate, swedishLocalDateTime, SYNC_KINDS, type Mutation } from '#contract';
import { createServer } from '../../../server/app';
import { bytesToModhex } from '../../../server/auth/password/yubikey-otp';
import { type Db, openPostgres } from '../../../server/db';
import { declaredRoutes } from '../../../server/http/route-list';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { supportReport } from '../../support/support-report';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';

type Who = 'staff' | 'administrator' | 'caseOfficer' | 'manager';
interface Ids {
  unitId: string;
  clientId: string;
  personnummer: string;
  annaId: string;
  /** A thread about the client that Anna (staff) takes part in. */
  threadId: string;
  /** A row of the organisation's access log (a finding of a review). */
  logId: string;
  /** A plan of the client with a set version (follow-ups, consents). */
  planId: string;
  versionId: string;
  /** A deviation of the unit, received by its manager (investigations may then be added, each a step). */
  deviationId: string;
}
interface Probe {
  who: Who;
  /** The path's `:id`. */
  id?: (ids: Ids) => string;
  /** The body carrying the client-made id `key` (a route's own `id`, else `requestId`). */
  body: (ids: Ids, key: string) => object;
  /** Counts the records this route makes. */
  count: string;
}

/** A fresh HSA-id per client-made id: a person is added once per id, and each id names another person. */
const hsaIdOf = (key: string) => `SE2321000131-P${String(parseInt(key.replace(/-/g, '').slice(0, 8), 16)).padStart(10, '0').slice(0, 10)}`;

/** Every POST route that makes a record: `METHOD url` → probe. */
const CREATES: Record<string, Probe> = {
  'POST /api/v1/messages/threads': { who: 'staff', body: (i, key) => ({ id: key, subject: 'En gång', clientId: i.clientId, text: 'Prov.' }), count: 'SELECT count(*) FROM message_threads' },
  'POST /api/v1/messages/threads/:id/messages': { who: 'staff', id: (i) => i.threadId, body: (_i, key) => ({ id: key, text: 'Svar.' }), count: 'SELECT count(*) FROM messages' },
  'POST /api/v1/messages/threads/:id/attachments': {
    who: 'staff',
    id: (i) => i.threadId,
    body: (_i, key) => ({ id: key, text: 'Bilaga.', kind: 'journal', fileName: 'journal-prov.pdf', content: Buffer.from('%PDF-1.4 prov').toString('base64') }),
    count: 'SELECT count(*) FROM message_attachments',
  },
  'POST /api/v1/support/colleagues/:id/messages': { who: 'administrator', id: (i) => i.annaId, body: (_i, key) => ({ requestId: key, subject: 'Support', text: 'Prov.' }), count: 'SELECT count(*) FROM message_threads' },
  'POST /api/v1/support/reports': { who: 'staff', body: (_i, key) => supportReport(key, 'WS-EN-GANG'), count: 'SELECT count(*) FROM support_reports' },
  'POST /api/v1/admin/access-log/reviews': {
    who: 'administrator',
    body: (i, key) => ({ requestId: key, kind: 'sample', sampleSize: 1, findings: [{ logId: i.logId, verdict: 'justified', comment: '' }], summary: 'Inget att anmärka.' }),
    count: 'SELECT count(*) FROM access_log_reviews',
  },
  'POST /api/v1/notices': {
    who: 'administrator',
    body: (i, key) => ({ requestId: key, title: 'Driftstopp', text: 'Prov.', showFrom: new Date().toISOString(), showUntil: new Date(Date.now() + 86_400_000).toISOString(), unitIds: [i.unitId] }),
    count: 'SELECT count(DISTINCT notice_id) FROM notices',
  },
  'POST /api/v1/incidents': { who: 'staff', body: (_i, key) => ({ requestId: key, what: 'Skärmen stod olåst.', discoveredAt: swedishLocalDateTime(new Date(Date.now() - 3_600_000)) }), count: 'SELECT count(*) FROM security_incidents' },
  'POST /api/v1/admin/credentials/yubikeys': {
    who: 'administrator',
    // One key per client-made id (the public id, secret and private id derived from it).
    body: (i, key) => {
      const h = createHash('sha256').update(key).digest();
      return { requestId: key, staffId: i.annaId, verification: 'local', publicId: bytesToModhex(h.subarray(0, 6)), aesKey: h.subarray(6, 22).toString('hex'), privateId: h.subarray(22, 28).toString('hex') };
    },
    count: 'SELECT count(*) FROM yubikeys',
  },
  'POST /api/v1/admin/people': { who: 'administrator', body: (_i, key) => ({ requestId: key, hsaId: hsaIdOf(key), givenName: 'Ny', familyName: 'Person', title: 'Vårdbiträde' }), count: 'SELECT count(*) FROM staff' },
  'POST /api/v1/admin/grants': { who: 'administrator', body: (i, key) => ({ requestId: key, staffId: i.annaId, role: 'manager', unitId: i.unitId, validFrom: swedishDate() }), count: 'SELECT count(*) FROM role_grants' },
  'POST /api/v1/access-log/events': {
    who: 'staff',
    body: (i, key) => ({ events: [{ id: key, action: 'copy', clientId: i.clientId, recordType: 'journal_entry', recordId: key, at: new Date().toISOString() }] }),
    count: "SELECT count(*) FROM access_log WHERE action = 'copy' AND record_type = 'journal_entry'",
  },
  // A step of the manager's handling (docs/deviations.md): an investigation, which may be added to, so each id is a new step.
  'POST /api/v1/deviations/:id/steps': {
    who: 'manager',
    id: (i) => i.deviationId,
    body: (_i, key) => ({ id: key, kind: 'investigation', facts: 'Prov.', clientView: '', causes: '' }),
    count: 'SELECT count(*) FROM deviation_steps',
  },
  'POST /api/v1/officer/assignments': {
    who: 'caseOfficer',
    body: (i, key) => ({ requestId: key, client: { personnummer: i.personnummer }, decision: { reference: 'BIS-1', date: swedishDate() }, services: [{ name: 'Hemtjänst', grantedHours: 4, per: 'week' }], startDate: swedishDate() }),
    count: 'SELECT count(*) FROM assignments',
  },
};

/** Every POST route that makes no record of its own, and why. */
const NOT_CREATES: Record<string, string> = {
  'POST /api/v1/auth/challenge': 'a single-use login nonce, not a record anyone keeps',
  'POST /api/v1/auth/login': 'a session: each login is its own',
  'POST /api/v1/officer/auth/login': 'a session: each login is its own',
  'POST /api/v1/auth/renew': 'renews the session it is sent with',
  'POST /api/v1/auth/logout': 'ends the session it is sent with',
  'POST /api/v1/sync/pull': 'a read',
  'POST /api/v1/sync/push': 'each mutation applied at most once by its mutationId: the CREATE_MUTATIONS below',
  'POST /api/v1/assignments/:id/actions': 'an action applied at most once by its requestId (docs/assignments.md), tested in assignments.test.ts',
  'POST /api/v1/officer/assignments/:id/actions': 'a change of the assignment’s state (change, cancel, end): the state machine refuses the second cancel or end',
  'POST /api/v1/auth/password/start': 'the first step of a login: each login is its own',
  'POST /api/v1/auth/password/verify': 'a session: each login is its own (the step is used once)',
  'POST /api/v1/admin/credentials/methods': 'a setting: sending it again sets the same',
  'POST /api/v1/admin/credentials/password': 'a setting (username, password, number per person, upserted): sending it again sets the same',
  'POST /api/v1/admin/credentials/unlock': 'a state change: an open account stays open',
  'POST /api/v1/admin/credentials/yubikeys/:id/revoke': 'a state change: a revoked key stays revoked (the first revocation is kept)',
  'POST /api/v1/admin/grants/:id/confirm': 'a state change: a confirmed grant cannot be confirmed again',
  'POST /api/v1/admin/grants/:id/end': 'a state change: an ended grant cannot be ended again',
  'POST /api/v1/admin/access-log/search': 'a read',
  'POST /api/v1/admin/access-log/csv': 'a read (an export)',
  'POST /api/v1/admin/access-log/export': 'a read (an export)',
  'POST /api/v1/admin/access-log/sample': 'a read',
  'POST /api/v1/admin/access-log/reviews/:id/export': 'a read (an export)',
  'POST /api/v1/admin/access-log/verify': 'a read',
  'POST /api/v1/incidents/:id/municipality': 'a state change: a reported incident cannot be reported again',
  'POST /api/v1/incidents/:id/close': 'a state change: a closed incident cannot be closed again',
  'POST /api/v1/messages/threads/:id/read': 'read receipts, one per message and person (ON CONFLICT DO NOTHING)',
  'POST /api/v1/notices/:id/withdraw': 'a state change: a withdrawn notice is gone',
};

/** Every mutation type that makes a record: the mutation carrying the record id `key`, and the table it lands in. */
const CREATE_MUTATIONS: Record<string, { mutation: (ids: Ids, key: string) => Mutation; count: string }> = {
  'journal_entry.create': {
    mutation: (i, key) => ({ ...meta(), type: 'journal_entry.create', record: { id: key, clientId: i.clientId, eventDate: swedishDate(), text: 'Prov.', lifeArea: null, assignmentId: null, correctsId: null } }),
    count: 'SELECT count(*) FROM journal_entries',
  },
  'day_note.create': { mutation: (i, key) => ({ ...meta(), type: 'day_note.create', record: { id: key, unitId: i.unitId, clientId: i.clientId, text: 'Prov.' } }), count: 'SELECT count(*) FROM day_notes' },
  'plan.save_draft': {
    mutation: (i, key) => ({ ...meta(), type: 'plan.save_draft', record: { id: key, clientId: i.clientId, baseRevision: 0, basedOnVersionId: null, content: emptyPlanContent() } }),
    count: 'SELECT count(*) FROM plans',
  },
  'plan.follow_up': {
    mutation: (i, key) => ({ ...meta(), type: 'plan.follow_up', record: { id: i.planId, followUpId: key, versionId: i.versionId, date: swedishDate(), outcomes: [], comment: 'Prov.', revise: false } }),
    count: 'SELECT count(*) FROM plan_follow_ups',
  },
  'plan.consent': {
    mutation: (i, key) => ({ ...meta(), type: 'plan.consent', record: { id: i.planId, consentId: key, status: 'given', date: swedishDate(), how: 'written', givenBy: 'client', representative: '', note: '' } }),
    count: 'SELECT count(*) FROM plan_consents',
  },
  'message_thread.create': {
    mutation: (i, key) => ({ ...meta(), type: 'message_thread.create', record: { id: key, unitId: i.unitId, subject: 'Prov', clientId: i.clientId, assignmentId: null, toUnit: true, participantIds: [] } }),
    count: 'SELECT count(*) FROM message_threads',
  },
  'message.send': { mutation: (i, key) => ({ ...meta(), type: 'message.send', record: { id: key, threadId: i.threadId, text: 'Prov.' } }), count: 'SELECT count(*) FROM messages' },
  'deviation.report': {
    mutation: (i, key) => ({
      ...meta(),
      type: 'deviation.report',
      record: {
        id: key, unitId: i.unitId, clientId: i.clientId, assignmentId: null, occurredAt: new Date(Date.now() - 3_600_000).toISOString(), place: 'Hallen',
        category: 'fall', description: 'Prov.', consequence: '', immediateAction: '', lexSarah: 'unsure',
      },
    }),
    count: 'SELECT count(*) FROM deviations',
  },
  'consent.record': {
    mutation: (i, key) => ({ ...meta(), type: 'consent.record', record: { id: key, clientId: i.clientId, topic: 'health_care', otherText: null, answer: 'given', form: 'oral', givenOn: swedishDate(), note: null } }),
    count: 'SELECT count(*) FROM consents',
  },
};
const NOT_CREATE_MUTATIONS: Record<string, string> = {
  'plan.set': 'sets the draft of one revision: the same revision again is refused as stale',
  'journal_entry.mark_erroneous': 'marks an entry once (the database refuses a second marking)',
  'day_note.mark_summarised': 'sets summarised_at once',
  'message.mark_read': 'a receipt, once per message and person',
  'consent.withdraw': 'withdraws a consent once: a second withdrawal is refused (the database refuses changing a withdrawn consent)',
};
const meta = () => ({ mutationId: randomUUID(), createdAt: new Date().toISOString() });

const PEOPLE: Record<Who, { hsaId: string; givenName: string; familyName: string }> = {
  staff: { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' },
  administrator: { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson' },
  caseOfficer: { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' },
  manager: { hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm' },
};

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let pki: TestPki;
const tokens = {} as Record<Who, string>;
let ids: Ids;

const post = async (who: Who, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens[who]}` }, payload });
  return { status: res.statusCode, body: res.json() as unknown };
};
const count = async (sql: string) => Number((await db.query<{ count: string | number }>(sql)).rows[0]!.count);
const push = async (mutations: Mutation[]) => {
  const r = await post('staff', '/api/v1/sync/push', { mutations });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body as { results: { status: string; error?: { message: string } }[] }).results;
};

beforeAll(async () => {
  database = await createSeededDatabase('creates_once');
  db = await openPostgres({ connectionString: database.url, maxConnections: 8 });
  pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
  await app.ready();
  for (const who of ['staff', 'administrator', 'manager'] as const) tokens[who] = (await sessionFor(app, await testCard(pki, PEOPLE[who]))).token;
  tokens.caseOfficer = (await sessionFor(app, await testCard(pki, PEOPLE.caseOfficer), 'officer')).token;
  const one = async <T = string>(sql: string, params: unknown[] = []) => (await db.query<Record<string, T>>(sql, params)).rows[0]!;
  const unitId = (await one(`SELECT id FROM units WHERE name = 'Hemtjänst Majorna'`)).id!;
  const client = await one(`SELECT id, personnummer FROM clients WHERE unit_id = $1 ORDER BY id LIMIT 1`, [unitId]);
  const annaId = (await one('SELECT id FROM staff WHERE hsa_id = $1', [PEOPLE.staff.hsaId])).id!;
  const base = { unitId, clientId: client.id!, personnummer: client.personnummer!, annaId, logId: '', threadId: '', planId: '', versionId: '', deviationId: '' };
  // A thread about the client and a set plan, through the API itself.
  base.threadId = randomUUID();
  expect((await post('staff', '/api/v1/messages/threads', { id: base.threadId, subject: 'Grund', clientId: base.clientId, text: 'Grund.' })).status).toBe(200);
  base.logId = String((await one<string | number>('SELECT max(id) AS id FROM access_log WHERE client_id = $1', [base.clientId])).id);
  base.planId = randomUUID();
  base.versionId = randomUUID();
  const content = { ...emptyPlanContent(), areas: [{ lifeArea: 'self_care', needs: '', goals: [{ id: randomUUID(), text: 'Klä sig själv.' }] }], activities: [{ id: randomUUID(), lifeArea: 'self_care', what: 'Stöd vid påklädning', who: 'Personal', how: '', when: '', ksiCode: null }] };
  const setUp = await push([
    { ...meta(), type: 'plan.save_draft', record: { id: base.planId, clientId: base.clientId, baseRevision: 0, basedOnVersionId: null, content } },
    { ...meta(), type: 'plan.set', record: { id: base.planId, revision: 1, versionId: base.versionId, setOn: swedishDate() } },
  ] as Mutation[]);
  expect(setUp.map((r) => r.status), JSON.stringify(setUp)).toEqual(['applied', 'applied']);
  // A deviation Anna reports, received by Karin (the unit's manager).
  base.deviationId = randomUUID();
  const reported = await push([CREATE_MUTATIONS['deviation.report']!.mutation(base, base.deviationId)]);
  expect(reported.map((r) => r.status), JSON.stringify(reported)).toEqual(['applied']);
  const received = await post('manager', `/api/v1/deviations/${base.deviationId}/steps`, { id: randomUUID(), kind: 'received' });
  expect(received.status, JSON.stringify(received.body)).toBe(200);
  ids = base;
}, 120_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

describe('every create the server accepts is listed here', () => {
  it('each POST route is a create with a probe, or named as no create with the reason', () => {
    const posts = declaredRoutes(app).filter((r) => r.method === 'POST').map((r) => `POST ${r.url}`);
    const unlisted = posts.filter((p) => !(p in CREATES) && !(p in NOT_CREATES));
    expect(unlisted, 'a new POST route: add it to CREATES (with a probe) or NOT_CREATES (with the reason)').toEqual([]);
    expect([...Object.keys(CREATES), ...Object.keys(NOT_CREATES)].filter((p) => !posts.includes(p)), 'listed but not declared').toEqual([]);
    expect(Object.keys(CREATES).filter((p) => p in NOT_CREATES)).toEqual([]);
  });

  it('each mutation type of every synced kind is a create with a probe, or named as no create with the reason', () => {
    const types = SYNC_KINDS.flatMap((k) => k.mutations.map((m) => (m.shape as { type: { value: string } }).type.value));
    expect(types.filter((t) => !(t in CREATE_MUTATIONS) && !(t in NOT_CREATE_MUTATIONS)), 'a new mutation type: add it to CREATE_MUTATIONS or NOT_CREATE_MUTATIONS').toEqual([]);
    expect([...Object.keys(CREATE_MUTATIONS), ...Object.keys(NOT_CREATE_MUTATIONS)].filter((t) => !types.includes(t))).toEqual([]);
  });
});

describe('every create route: twice with one id, and twice at once, makes one record', () => {
  for (const [route, probe] of Object.entries(CREATES)) {
    it(route, async () => {
      const url = route.slice('POST '.length).replace(':id', probe.id ? probe.id(ids) : '');
      const before = await count(probe.count);

      const key = randomUUID();
      const first = await post(probe.who, url, probe.body(ids, key));
      expect([200, 201], JSON.stringify(first.body)).toContain(first.status);
      const again = await post(probe.who, url, probe.body(ids, key));
      expect([200, 201], JSON.stringify(again.body)).toContain(again.status);
      expect(await count(probe.count)).toBe(before + 1);
      expect(idOf(again.body)).toEqual(idOf(first.body));

      const racing = randomUUID();
      const both = await Promise.all([post(probe.who, url, probe.body(ids, racing)), post(probe.who, url, probe.body(ids, racing))]);
      for (const r of both) expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
      expect(await count(probe.count)).toBe(before + 2);
      expect(idOf(both[1].body)).toEqual(idOf(both[0].body));
    });
  }
});

describe('every create mutation: pushed twice, and twice at once, makes one record', () => {
  for (const [type, probe] of Object.entries(CREATE_MUTATIONS)) {
    it(type, async () => {
      const before = await count(probe.count);
      const m = probe.mutation(ids, randomUUID());
      const [first] = await push([m]);
      expect(first!.status, JSON.stringify(first)).toBe('applied');
      const [again] = await push([m]);
      expect(again).toEqual(first);
      expect(await count(probe.count)).toBe(before + 1);

      const racing = probe.mutation(ids, randomUUID());
      const both = await Promise.all([push([racing]), push([racing])]);
      expect(both[0]).toEqual(both[1]);
      expect(both[0][0]!.status).toBe('applied');
      expect(await count(probe.count)).toBe(before + 2);
    });
  }
});

/** What identifies the record in an answer: its id, else the whole answer (a support report answers only when). */
function idOf(body: unknown): unknown {
  const b = body as Record<string, unknown>;
  if (typeof b.id === 'string') return b.id;
  if (b.thread && typeof b.thread === 'object') return { thread: (b.thread as { id: string }).id, messages: (b.messages as unknown[]).length };
  if (typeof b.threadId === 'string') return b.threadId;
  if (typeof b.noticeId === 'string') return b.noticeId;
  // A deviation's case answers a step: its steps' ids.
  if (Array.isArray(b.steps)) return (b.steps as { id: string }[]).map((s) => s.id);
  return 'receivedAt' in b ? 'report' : b;
}

describe('the journal keeps the order entries were written in (issue 32)', () => {
  it('three entries of one day written offline and pushed in one batch come back 1, 2, 3 whatever their ids', async () => {
    // Ids in descending order: a tie broken by id would show them 3, 2, 1.
    const entryIds = ['ffffffff-0000-4000-8000-000000000001', '88888888-0000-4000-8000-000000000002', '11111111-0000-4000-8000-000000000003'];
    const day = '2026-01-15';
    const results = await push(
      entryIds.map((id, n) => ({ ...meta(), type: 'journal_entry.create', record: { id, clientId: ids.clientId, eventDate: day, text: `Skriven som nummer ${n + 1}.`, lifeArea: null, assignmentId: null, correctsId: null } }) as Mutation),
    );
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    // The journal's order, newest first (main/store/journal-sql.ts): event date, then created_at.
    const { rows } = await db.query<{ text: string }>('SELECT text FROM journal_entries WHERE client_id = $1 AND event_date = $2 ORDER BY event_date DESC, created_at DESC, id DESC', [ids.clientId, day]);
    expect(rows.map((r) => r.text)).toEqual(['Skriven som nummer 3.', 'Skriven som nummer 2.', 'Skriven som nummer 1.']);
  });
});

describe('journal corrections (issue 32, docs/journal.md)', () => {
  const pushAs = async (token: string, mutations: Mutation[]) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { authorization: `Bearer ${token}` }, payload: { mutations } });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { results: { status: string; error?: { code: string; message: string } }[] }).results;
  };
  const entry = (text: string, correctsId: string | null = null) =>
    ({ ...meta(), type: 'journal_entry.create', record: { id: randomUUID(), clientId: ids.clientId, eventDate: swedishDate(), text, lifeArea: null, assignmentId: null, correctsId } }) as Extract<Mutation, { type: 'journal_entry.create' }>;
  const mark = (id: string, reason: string) => ({ ...meta(), type: 'journal_entry.mark_erroneous', record: { id, reason } }) as Mutation;

  it('a colleague without a named role may not mark another’s entry erroneous; the author and a manager may', async () => {
    const mohammed = (await sessionFor(app, await testCard(pki, { hsaId: 'SE2321000131-P000000000102', givenName: 'Mohammed', familyName: 'Haddad' }))).token;
    const karin = (await sessionFor(app, await testCard(pki, { hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm' }))).token;
    const a = entry('Annas anteckning.');
    const b = entry('Annas andra anteckning.');
    await push([a, b]);
    const [byColleague] = await pushAs(mohammed, [mark(a.record.id, 'Fel brukare.')]);
    expect(byColleague).toMatchObject({ status: 'refused', error: { code: 'FORBIDDEN' } });
    expect(byColleague!.error!.message).toMatch(/Bara den som skrev anteckningen/);
    expect((await pushAs(tokens.staff, [mark(a.record.id, 'Fel brukare.')]))[0]!.status).toBe('applied');
    expect((await pushAs(karin, [mark(b.record.id, 'Fel datum.')]))[0]!.status).toBe('applied');
  });

  it('two corrections of one entry at once: the first is kept, the second refused naming the first and its reason', async () => {
    const karin = (await sessionFor(app, await testCard(pki, { hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm' }))).token;
    const original = entry('Skrivet om fel brukare.');
    await push([original]);
    const mine = [mark(original.record.id, 'Annas skäl.'), entry('Annas rättelse.', original.record.id)];
    const theirs = [mark(original.record.id, 'Karins skäl.'), entry('Karins rättelse.', original.record.id)];
    const [a, b] = await Promise.all([pushAs(tokens.staff, mine), pushAs(karin, theirs)]);
    const results = [a, b];
    const winner = results.findIndex((r) => r.every((x) => x.status === 'applied'));
    expect(winner).toBeGreaterThanOrEqual(0);
    const loser = results[1 - winner]!;
    expect(loser.map((x) => x.status)).toEqual(['refused', 'refused']);
    expect(loser[0]!.error!.message).toMatch(/redan felmarkerad\. (Anna Lindqvist|Karin Holm) angav: ”(Annas|Karins) skäl\.”/);
    expect(loser[1]!.error!.message).toMatch(/redan rättats av (Anna Lindqvist|Karin Holm)/);
    const { rows } = await db.query('SELECT 1 FROM journal_entries WHERE corrects_id = $1', [original.record.id]);
    expect(rows).toHaveLength(1);
  });
});
