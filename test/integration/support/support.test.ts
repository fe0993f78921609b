/**
 * First-line support on a real PostgreSQL server (issue 17, docs/administration.md "Första
 * linjens support"): workstations report their own state (validated; a malformed report is a
 * Swedish 400), a superuser of the organisation sees her colleagues and their workstations, a
 * superuser of one unit only that unit's people, staff are refused, the table holds no personal
 * data, and a support message is a thread between the two that nobody else can read.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeopleResponse, ServerErrorBody, SupportMessageSent, SupportOverview, type SupportReport, swedishDate, ThreadDetail } from '#contract';
import { createServer } from '../../../server/app';
import { type Db, openPostgres } from '../../../server/db';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';

const person = (n: number, givenName: string, familyName: string) => ({ hsaId: `SE2321000131-P000000000${n}`, givenName, familyName });
const ANNA = person(101, 'Anna', 'Lindqvist');
const MOHAMMED = person(102, 'Mohammed', 'Haddad');
const SARA = person(103, 'Sara', 'Nyström');
const ELIN = person(104, 'Elin', 'Johansson');
const PETER = person(107, 'Peter', 'Svensson');

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let pki: TestPki;
const tokens = new Map<string, string>();

const login = async (p: { hsaId: string; givenName: string; familyName: string }): Promise<string> => (await sessionFor(app, await testCard(pki, p))).token;
const token = (p: { hsaId: string }) => tokens.get(p.hsaId)!;
const call = async (who: { hsaId: string }, method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token(who)}`, 'x-workstation': 'WS-SUPPORT' }, ...(method === 'POST' ? { payload: (payload ?? {}) as object } : {}) });
  return { status: res.statusCode, body: res.json() as unknown };
};
const staffId = async (p: { hsaId: string }) => (await db.query<{ id: string }>('SELECT id FROM staff WHERE hsa_id = $1', [p.hsaId])).rows[0]!.id;

const ANNAS_WORKSTATION = randomUUID();
const report = (o: Partial<SupportReport> = {}): SupportReport => ({
  workstationId: ANNAS_WORKSTATION,
  workstationName: 'WS-ANNA',
  appVersion: '0.1.0',
  host: 'electron',
  sync: { lastOkAt: new Date(Date.now() - 3_600_000).toISOString(), outcome: 'error', code: 'SERVER_UNREACHABLE' },
  queue: { count: 3, oldestAt: new Date(Date.now() - 7_200_000).toISOString() },
  refusals: { count: 2, codes: [{ code: 'PERMISSION_ENDED', count: 2 }] },
  card: { service: 'ok', readers: 1, cardPresent: true },
  loggedInAt: new Date(Date.now() - 600_000).toISOString(),
  store: { state: 'open', bytes: 5_242_880 },
  ...o,
});

beforeAll(async () => {
  database = await createSeededDatabase('support');
  db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
  await app.ready();
  for (const p of [ANNA, MOHAMMED, SARA, ELIN, PETER]) tokens.set(p.hsaId, await login(p));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

describe('a workstation reporting itself', () => {
  it('is accepted from any session and kept as the latest report per workstation and person', async () => {
    expect((await call(ANNA, 'POST', '/api/v1/support/reports', report({ store: { state: 'open', bytes: 1_000 } }))).status).toBe(200);
    expect((await call(ANNA, 'POST', '/api/v1/support/reports', report())).status).toBe(200);
    const { rows } = await db.query<{ store_bytes: string; sync_code: string; queued: number }>('SELECT store_bytes::text, sync_code, queued FROM support_reports WHERE staff_id = $1', [await staffId(ANNA)]);
    expect(rows).toEqual([{ store_bytes: '5242880', sync_code: 'SERVER_UNREACHABLE', queued: 3 }]);
  });

  it('a workstation silent for 90 days is forgotten for her at her next report', async () => {
    const anna = await staffId(ANNA);
    const old = randomUUID();
    expect((await call(ANNA, 'POST', '/api/v1/support/reports', report({ workstationId: old, workstationName: 'WS-GAMMAL' }))).status).toBe(200);
    await db.query(`UPDATE support_reports SET received_at = now() - interval '91 days' WHERE workstation_id = $1`, [old]);
    expect((await call(ANNA, 'POST', '/api/v1/support/reports', report())).status).toBe(200);
    const { rows } = await db.query<{ workstation_id: string }>('SELECT workstation_id FROM support_reports WHERE staff_id = $1', [anna]);
    expect(rows.map((r) => r.workstation_id)).toEqual([ANNAS_WORKSTATION]);
  });

  it('a malformed report is refused with a Swedish 400 and nothing is stored', async () => {
    const before = (await db.query('SELECT * FROM support_reports')).rows;
    const bad: unknown[] = [
      { ...report(), sync: { lastOkAt: null, outcome: 'error', code: null } }, // an error without its code
      { ...report(), queue: { count: -1, oldestAt: null } },
      { ...report(), sync: { lastOkAt: null, outcome: 'ok', code: 'NOT_A_CODE' } },
      { ...report(), note: 'Brukaren föll i badrummet' }, // no field for text, ever
      { ...report(), workstationName: 'Annas <dator>' },
      { ...report(), workstationId: 'anna' },
      { ...report(), store: { state: 'open', bytes: 1.5 } },
      {},
    ];
    for (const body of bad) {
      const res = await call(ANNA, 'POST', '/api/v1/support/reports', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = ServerErrorBody.parse(res.body).error;
      expect(error).toMatchObject({ code: 'VALIDATION', message: 'Arbetsstationens rapport är ogiltig och sparades inte.' });
    }
    expect((await db.query('SELECT * FROM support_reports')).rows).toEqual(before);
  });

  it('the table holds no personal data: only states, counts, codes and times, and who was logged in', async () => {
    await call(MOHAMMED, 'POST', '/api/v1/support/reports', report({ workstationId: randomUUID(), workstationName: null, queue: null, refusals: null, store: { state: 'unreadable', bytes: null } }));
    const { rows: columns } = await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'support_reports' ORDER BY ordinal_position`);
    expect(columns.map((c) => c.column_name)).toEqual([
      'workstation_id', 'staff_id', 'workstation_name', 'received_at', 'app_version', 'host', 'last_sync_ok_at', 'sync_outcome', 'sync_code',
      'queued', 'queued_oldest_at', 'refusals', 'refusal_codes', 'card_service', 'readers', 'card_present', 'logged_in_at', 'store_state', 'store_bytes',
    ]);
    const stored = JSON.stringify((await db.query('SELECT * FROM support_reports')).rows);
    const { rows: clients } = await db.query<{ personnummer: string; given_name: string; family_name: string }>('SELECT personnummer, given_name, family_name FROM clients');
    const { rows: people } = await db.query<{ hsa_id: string; given_name: string }>('SELECT hsa_id, given_name FROM staff');
    const { rows: notes } = await db.query<{ text: string }>('SELECT text FROM day_notes LIMIT 50');
    for (const secret of [...clients.flatMap((c) => [c.personnummer, `${c.given_name} ${c.family_name}`]), ...people.flatMap((p) => [p.hsa_id, p.given_name]), ...notes.map((n) => n.text.slice(0, 30))]) {
      expect(stored).not.toContain(secret);
    }
    expect((await db.query('SELECT count(*)::int AS n FROM support_reports')).rows[0]).toEqual({ n: 2 });
  });
});

describe('the support view', () => {
  it('a superuser of the organisation sees her colleagues and their workstations, why something failed, and no client', async () => {
    const res = await call(SARA, 'GET', '/api/v1/support/colleagues');
    expect(res.status).toBe(200);
    const overview = SupportOverview.parse(res.body);
    const names = overview.colleagues.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Anna Lindqvist', 'Mohammed Haddad', 'Elin Johansson', 'Peter Svensson']));
    expect(names).not.toContain('Sara Nyström'); // herself
    expect(names).not.toContain('Maria Ek'); // the municipality's case officer is no colleague
    const anna = overview.colleagues.find((c) => c.name === 'Anna Lindqvist')!;
    expect(anna.units.map((u) => u.name)).toEqual(['Hemtjänst Majorna']);
    expect(anna.workstations).toHaveLength(1);
    expect(anna.workstations[0]).toMatchObject({
      workstationId: ANNAS_WORKSTATION,
      workstationName: 'WS-ANNA',
      sync: { outcome: 'error', code: 'SERVER_UNREACHABLE' },
      queue: { count: 3 },
      refusals: { count: 2, codes: [{ code: 'PERMISSION_ENDED', count: 2 }] },
      card: { service: 'ok', readers: 1, cardPresent: true },
      store: { state: 'open', bytes: 5_242_880 },
    });
    const text = JSON.stringify(res.body);
    const { rows: clients } = await db.query<{ id: string; personnummer: string }>('SELECT id::text, personnummer FROM clients');
    for (const c of clients) expect(text).not.toContain(c.personnummer);
    for (const c of clients) expect(text).not.toContain(c.id);
  });

  it('a personnummer typed as the workstation’s name is masked: not stored, not shown in the support view — nor one stored before the mask (issue 25)', async () => {
    const typed = randomUUID();
    expect((await call(MOHAMMED, 'POST', '/api/v1/support/reports', report({ workstationId: typed, workstationName: 'Tolvan 19121212-1212' }))).status).toBe(200);
    const stored = await db.query<{ workstation_name: string }>('SELECT workstation_name FROM support_reports WHERE workstation_id = $1', [typed]);
    expect(stored.rows).toEqual([{ workstation_name: 'Tolvan [personnummer]' }]);
    // A row written before the mask, straight into the table, is masked on the way out.
    const legacy = randomUUID();
    await db.query('INSERT INTO support_reports SELECT $1, staff_id, $2, received_at, app_version, host, last_sync_ok_at, sync_outcome, sync_code, queued, queued_oldest_at, refusals, refusal_codes, card_service, readers, card_present, logged_in_at, store_state, store_bytes FROM support_reports WHERE workstation_id = $3', [legacy, 'PC 191212121212', typed]);
    const res = await call(SARA, 'GET', '/api/v1/support/colleagues');
    const mohammed = SupportOverview.parse(res.body).colleagues.find((c) => c.name === 'Mohammed Haddad')!;
    expect(mohammed.workstations.filter((w) => [typed, legacy].some((id) => id === w.workstationId)).map((w) => w.workstationName).sort()).toEqual(['PC [personnummer]', 'Tolvan [personnummer]']);
    expect(JSON.stringify(res.body)).not.toMatch(/19121212-?1212/);
  });

  it('the administrator has it too; staff and a manager are refused (403), nobody without a session (401)', async () => {
    expect((await call(PETER, 'GET', '/api/v1/support/colleagues')).status).toBe(200);
    for (const who of [ANNA, ELIN]) {
      for (const [method, url, body] of [
        ['GET', '/api/v1/support/colleagues', undefined],
        ['POST', `/api/v1/support/colleagues/${await staffId(MOHAMMED)}/messages`, { subject: 'Support', text: 'Hej' }],
      ] as const) {
        const res = await call(who, method, url, body);
        expect(res.status, `${who.givenName} ${url}`).toBe(403);
        expect(ServerErrorBody.parse(res.body).error.code).toBe('FORBIDDEN');
      }
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/support/colleagues' })).statusCode).toBe(401);
  });

  it('a superuser of one unit sees only the people of that unit, and cannot write to anyone else', async () => {
    const units = PeopleResponse.parse((await call(PETER, 'GET', '/api/v1/admin/people')).body).units;
    const daglig = units.find((u) => u.name.startsWith('Daglig'))!;
    const grant = await call(PETER, 'POST', '/api/v1/admin/grants', { staffId: await staffId(ELIN), role: 'superuser', unitId: daglig.id, validFrom: swedishDate() });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);
    const overview = SupportOverview.parse((await call(ELIN, 'GET', '/api/v1/support/colleagues')).body);
    const names = overview.colleagues.map((c) => c.name);
    expect(names).toContain('Jonas Berg');
    expect(names).not.toContain('Anna Lindqvist');
    expect(names).not.toContain('Mohammed Haddad');
    for (const c of overview.colleagues) expect(c.units.map((u) => u.id)).toEqual([daglig.id]);
    const res = await call(ELIN, 'POST', `/api/v1/support/colleagues/${await staffId(ANNA)}/messages`, { subject: 'Support', text: 'Hej' });
    expect(res.status).toBe(404);
  });
});

describe('a support message', () => {
  it('is a thread between the superuser and her colleague, about no client; only the two can read it; it is in the access log without text', async () => {
    const annaId = await staffId(ANNA);
    const res = await call(SARA, 'POST', `/api/v1/support/colleagues/${annaId}/messages`, { subject: 'Din arbetsstation', text: 'Hej Anna! Starta om programmet så hämtas allt igen.' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sent = SupportMessageSent.parse(res.body);
    const thread = ThreadDetail.parse((await call(ANNA, 'GET', `/api/v1/messages/threads/${sent.threadId}`)).body);
    expect(thread.thread).toMatchObject({ clientId: null, assignmentId: null, toUnit: false, subject: 'Din arbetsstation' });
    expect(thread.thread.participants.map((p) => p.name).sort()).toEqual(['Anna Lindqvist', 'Sara Nyström']);
    expect(thread.messages.map((m) => m.text)).toEqual(['Hej Anna! Starta om programmet så hämtas allt igen.']);
    // A colleague of the same unit who is not in the thread: as if it did not exist.
    expect((await call(MOHAMMED, 'GET', `/api/v1/messages/threads/${sent.threadId}`)).status).toBe(404);
    const { rows } = await db.query<{ action: string; client_id: string | null; record_type: string; workstation: string }>(
      `SELECT a.action, a.client_id, a.record_type, a.workstation FROM access_log a JOIN staff s ON s.id = a.actor_staff_id WHERE s.hsa_id = $1 AND a.record_id = $2`,
      [SARA.hsaId, sent.threadId],
    );
    expect(rows).toEqual([{ action: 'change', client_id: null, record_type: 'message_thread', workstation: 'WS-SUPPORT' }]);
  });

  it('to someone outside her reach, or with an empty text, is refused', async () => {
    expect((await call(SARA, 'POST', `/api/v1/support/colleagues/${randomUUID()}/messages`, { subject: 'Support', text: 'Hej' })).status).toBe(404);
    expect((await call(SARA, 'POST', '/api/v1/support/colleagues/inte-ett-id/messages', { subject: 'Support', text: 'Hej' })).status).toBe(404);
    expect((await call(SARA, 'POST', `/api/v1/support/colleagues/${await staffId(ANNA)}/messages`, { subject: 'Support', text: '   ' })).status).toBe(400);
  });
});
