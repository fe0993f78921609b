/**
 * Role × endpoint matrix (issue 17): EVERY route the server declares — listed from Fastify itself
 * (server/http/route-list.ts), so a new route without a rule here fails the suite — is called by
 * every kind of caller, and the outcome is asserted. The probe of each route aims at the unit
 * "Hemtjänst Majorna" (Anna's); a caller without a permission for it must be refused, hidden
 * (answered like missing), or given only her own scope — and no answer to her may name a client
 * of that unit (the leak check below, run on every answer).
 *
 * Adding a route: one line in RULES (a probe and the expected outcome per caller).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grant, swedishDate, swedishLocalDateTime } from '#contract';
import { createServer } from '../../../server/app';
import { newYubikeySecret } from '../../../server/auth/password/yubikey-otp';
import { hashToken, newSessionToken } from '../../../server/auth/sessions';
import { type Db, openPostgres } from '../../../server/db';
import { declaredRoutes } from '../../../server/http/route-list';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { supportReport } from '../../support/support-report';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';

/** The callers. `staff` holds the probed unit; everyone else is measured against her. */
const WHO = ['anonymous', 'staff', 'otherUnit', 'ended', 'superuserNoUnit', 'manager', 'administrator', 'caseOfficer', 'staffLoa2'] as const;
type Who = (typeof WHO)[number];
/**
 * Who holds no permission for the probed unit — or holds it with a session below client data's
 * assurance level (staffLoa2: Anna through the identity provider at LoA2, issue 29): no answer to
 * them may name its clients.
 */
const OUTSIDE: readonly Who[] = ['otherUnit', 'ended', 'superuserNoUnit', 'staffLoa2'];
/**
 * What an LoA2 session reaches (server/auth/assurance.ts): the routes without a session, its own
 * settings, the pull and its events (cut to notices and messages without client data). Every other
 * route refuses her with 403 LOA_TOO_LOW and a Swedish message naming the level needed.
 */
const LOA2_OPEN = new Set([
  'GET /health', 'GET /health/live', 'GET /health/ready', 'GET /metrics', 'GET /openapi.json',
  'POST /api/v1/auth/challenge', 'GET /api/v1/auth/methods', 'POST /api/v1/auth/login', 'POST /api/v1/officer/auth/login',
  'POST /api/v1/auth/renew', 'POST /api/v1/auth/logout', 'GET /api/v1/units', 'GET /api/v1/me/roles', 'GET /api/v1/ksi', 'POST /api/v1/support/reports',
  'POST /api/v1/sync/pull', 'GET /api/v1/sync/events',
  // Whom a thread about no client may name (with a client or an assignment: LOA_TOO_LOW, loa2-push.test.ts).
  'GET /api/v1/messages/units/:id/recipients',
  // The password login's two steps need no session (a login, like the card's).
  'POST /api/v1/auth/password/start', 'POST /api/v1/auth/password/verify',
]);
/**
 * Reached at LoA2 but holding what it is sent: the sync push decides only client-free message
 * writes below client data's level (server/sync/push-rules.ts); the matrix's probe, a journal
 * entry, is answered 200 with LOA_TOO_LOW for it (test/integration/server/loa2-push.test.ts has the rest).
 */
const LOA2_HELD = new Set(['POST /api/v1/sync/push']);

/**
 * Outcomes: `in` reached the handler in scope (2xx, or 409 when the state forbids the act);
 * `out` refused or hidden (403, or 404 exactly like a missing record); `refused` a sync push
 * answered 200 with every mutation refused; or an exact status.
 */
type Outcome = 'in' | 'out' | 'refused' | 'held' | 'loa' | 400 | 401 | 403;
type Expect = Record<Who, Outcome>;

interface Ids {
  unitId: string;
  clientId: string;
  assignmentId: string;
  grantId: string;
  /** A security incident Anna (staff) reported, naming a client of the unit. */
  incidentId: string;
}
interface Probe {
  /** Replaces the path's parameter (`:id`, `:clientId`). */
  id?: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  query?: string;
}

const all = (o: Outcome): Expect => Object.fromEntries(WHO.map((w) => [w, o])) as Expect;
/** Any session; refusals only for no session. */
const session = (o: Partial<Expect> = {}): Expect => ({ ...all('in'), anonymous: 401, ...o });
/** Data of the probed unit: its holders in, everyone else out. */
const unitData = (o: Partial<Expect> = {}): Expect => session({ otherUnit: 'out', ended: 'out', superuserNoUnit: 'out', ...o });
const adminOnly = (): Expect => ({ ...all(403), anonymous: 401, administrator: 'in' });
const officerOnly = (): Expect => ({ ...all(403), anonymous: 401, caseOfficer: 'in' });
/** The manager role in force (verksamhetsansvarig: deviations). */
const managerOnly = (): Expect => ({ ...all(403), anonymous: 401, manager: 'in' });
/** First-line support: a superuser (even without any unit) or an administrator. */
const supportOnly = (): Expect => ({ ...all(403), anonymous: 401, superuserNoUnit: 'in', administrator: 'in' });
const SUPPORT_REPORT = supportReport(randomUUID(), 'WS-MATRIS');

const journalEntry = (ids: Ids) => ({
  mutations: [
    {
      mutationId: randomUUID(),
      createdAt: new Date().toISOString(),
      type: 'journal_entry.create',
      record: { id: randomUUID(), clientId: ids.clientId, eventDate: swedishDate(), text: 'Matrisprov.', lifeArea: null, assignmentId: null, correctsId: null },
    },
  ],
});

/** One line per route: `METHOD url` → probe and expected outcome per caller. */
const RULES: Record<string, [Probe, Expect]> = {
  'GET /health': [{}, all('in')],
  'GET /health/live': [{}, all('in')],
  'GET /health/ready': [{}, all('in')],
  'GET /metrics': [{}, all('in')],
  'GET /openapi.json': [{}, all('in')],
  'POST /api/v1/auth/challenge': [{}, all('in')],
  'GET /api/v1/auth/methods': [{}, all('in')],
  'POST /api/v1/auth/login': [{ body: () => ({}) }, all(400)],
  'POST /api/v1/officer/auth/login': [{ body: () => ({}) }, all(400)],
  'POST /api/v1/auth/password/start': [{ body: () => ({}) }, all(400)],
  'POST /api/v1/auth/password/verify': [{ body: () => ({}) }, all(400)],
  'POST /api/v1/auth/renew': [{}, session({ ended: 403 })],
  'POST /api/v1/auth/logout': [{}, session({ ended: 401 })],
  'GET /api/v1/units': [{}, session({ caseOfficer: 403 })],
  'POST /api/v1/sync/pull': [{ body: () => ({ cursors: {} }) }, session()],
  'POST /api/v1/sync/push': [{ body: journalEntry }, unitData({ otherUnit: 'refused', ended: 'refused', superuserNoUnit: 'refused', caseOfficer: 'refused' })],
  'GET /api/v1/sync/events': [{}, session()],
  'GET /api/v1/assignments': [{}, session()],
  'GET /api/v1/assignments/:id': [{ id: (i) => i.assignmentId }, unitData({ caseOfficer: 'out' })],
  'POST /api/v1/assignments/:id/actions': [{ id: (i) => i.assignmentId, body: () => ({ type: 'confirm' }) }, unitData({ caseOfficer: 'out' })],
  'GET /api/v1/assignments/units/:id/staff': [{ id: (i) => i.unitId }, unitData({ caseOfficer: 'out' })],
  'GET /api/v1/assignments/:id/targets': [{ id: (i) => i.assignmentId }, unitData({ caseOfficer: 'out' })],
  'GET /api/v1/officer/assignments': [{}, officerOnly()],
  'GET /api/v1/officer/assignments/:id': [{ id: (i) => i.assignmentId }, officerOnly()],
  'POST /api/v1/officer/assignments': [{ body: () => ({}) }, { ...officerOnly(), caseOfficer: 400 }],
  'POST /api/v1/officer/assignments/:id/actions': [{ id: (i) => i.assignmentId, body: () => ({}) }, { ...officerOnly(), caseOfficer: 400 }],
  'POST /api/v1/access-log/events': [{ body: (i) => ({ events: [{ action: 'read', clientId: i.clientId, recordType: 'journal', at: new Date().toISOString() }] }) }, unitData({ caseOfficer: 'out' })],
  'GET /api/v1/me/roles': [{}, session()],
  // The KSI list names no person: any session, at any level.
  'GET /api/v1/ksi': [{}, session()],
  'GET /api/v1/admin/people': [{}, adminOnly()],
  'POST /api/v1/admin/people': [{ body: () => ({ hsaId: `SE2321000131-P${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`, givenName: 'Matris', familyName: 'Prov', title: 'Test' }) }, adminOnly()],
  'POST /api/v1/admin/grants': [{ body: (i) => ({ staffId: ANNA_ID.value, role: 'manager', unitId: i.unitId, validFrom: swedishDate() }) }, adminOnly()],
  'POST /api/v1/admin/grants/:id/confirm': [{ id: (i) => i.grantId, body: () => ({}) }, adminOnly()],
  'POST /api/v1/admin/grants/:id/end': [{ id: (i) => i.grantId, body: () => ({}) }, adminOnly()],
  'GET /api/v1/admin/history': [{}, adminOnly()],
  // Password + one-time code (server/auth/password/admin-routes.ts): an organisation-wide administrator only.
  'GET /api/v1/admin/credentials': [{}, adminOnly()],
  'POST /api/v1/admin/credentials/methods': [{ body: () => ({ passwordSms: true, passwordYubikey: false }) }, adminOnly()],
  'POST /api/v1/admin/credentials/password': [{ body: () => ({ staffId: ANNA_ID.value, username: 'anna.matris', password: 'Matrisprov lösenord 1', phone: null }) }, adminOnly()],
  'POST /api/v1/admin/credentials/unlock': [{ body: () => ({ staffId: ANNA_ID.value }) }, adminOnly()],
  'POST /api/v1/admin/credentials/yubikeys': [{ body: () => ({ staffId: ANNA_ID.value, verification: 'local', ...newYubikeySecret() }) }, adminOnly()],
  'POST /api/v1/admin/credentials/yubikeys/:id/revoke': [{ id: () => 'cccccccccccc', body: () => ({}) }, { ...adminOnly(), administrator: 'out' }],
  'POST /api/v1/admin/access-log/search': [{ body: () => ({ personnummer: '19121212-1212' }) }, adminOnly()],
  'POST /api/v1/admin/access-log/csv': [{ body: () => ({}) }, adminOnly()],
  'POST /api/v1/admin/access-log/sample': [{ body: () => ({ size: 3 }) }, adminOnly()],
  'POST /api/v1/admin/access-log/reviews': [{ body: () => ({}) }, { ...adminOnly(), administrator: 400 }],
  'GET /api/v1/admin/access-log/reviews': [{}, adminOnly()],
  'GET /api/v1/admin/access-log/reviews/:id': [{ id: () => randomUUID() }, { ...adminOnly(), administrator: 'out' }],
  'POST /api/v1/admin/access-log/verify': [{ body: () => ({}) }, adminOnly()],
  'POST /api/v1/admin/access-log/export': [{ body: () => ({}) }, adminOnly()],
  'POST /api/v1/admin/access-log/reviews/:id/export': [{ id: () => randomUUID(), body: () => ({}) }, { ...adminOnly(), administrator: 'out' }],
  'POST /api/v1/incidents': [{ body: () => ({ what: 'Matrisprov.', discoveredAt: swedishLocalDateTime(new Date()) }) }, session({ caseOfficer: 403 })],
  'GET /api/v1/incidents': [{}, session({ caseOfficer: 403 })],
  'GET /api/v1/incidents/:id': [{ id: (i) => i.incidentId }, { ...all('out'), anonymous: 401, staff: 'in', administrator: 'in' }],
  'POST /api/v1/incidents/:id/municipality': [{ id: (i) => i.incidentId, body: () => ({ reportedAt: swedishLocalDateTime(new Date()), channel: 'phone' }) }, { ...all('out'), anonymous: 401, administrator: 'in' }],
  'POST /api/v1/incidents/:id/close': [{ id: (i) => i.incidentId, body: () => ({}) }, { ...all('out'), anonymous: 401, administrator: 'in' }],
  'GET /api/v1/officer/clients/:clientId/plans': [{ id: (i) => i.clientId }, officerOnly()],
  'GET /api/v1/officer/plans/:id': [{ id: () => randomUUID() }, { ...officerOnly(), caseOfficer: 'out' }],
  'GET /api/v1/officer/plan-stats': [{}, officerOnly()],
  'GET /api/v1/deviations': [{}, managerOnly()],
  'GET /api/v1/deviations/:id': [{ id: () => randomUUID() }, { ...managerOnly(), manager: 'out' }],
  'POST /api/v1/deviations/:id/steps': [{ id: () => randomUUID(), body: () => ({}) }, { ...managerOnly(), manager: 400 }],
  'GET /api/v1/deviation-stats': [{ query: 'from=2026-01-01&to=2026-12-31' }, managerOnly()],
  'GET /api/v1/deviation-patterns': [{ query: 'from=2026-01-01&to=2026-12-31' }, managerOnly()],
  'GET /api/v1/officer/deviations': [{}, officerOnly()],
  'GET /api/v1/officer/deviations/:id': [{ id: () => randomUUID() }, { ...officerOnly(), caseOfficer: 'out' }],
  'GET /api/v1/messages/threads': [{}, session()],
  'GET /api/v1/messages/units/:id/threads': [{ id: (i) => i.unitId }, unitData({ caseOfficer: 'out' })],
  'GET /api/v1/messages/threads/:id': [{ id: () => randomUUID() }, { ...all('out'), anonymous: 401 }],
  'POST /api/v1/messages/threads': [{ body: () => ({}) }, { ...all(400), anonymous: 401 }],
  'POST /api/v1/messages/threads/:id/messages': [{ id: () => randomUUID(), body: () => ({ text: 'Matrisprov.' }) }, { ...all('out'), anonymous: 401 }],
  'POST /api/v1/messages/threads/:id/read': [{ id: () => randomUUID(), body: () => ({}) }, { ...all('out'), anonymous: 401 }],
  'POST /api/v1/support/reports': [{ body: () => SUPPORT_REPORT }, session()],
  'GET /api/v1/support/colleagues': [{}, supportOnly()],
  'POST /api/v1/support/colleagues/:id/messages': [{ id: () => ANNA_ID.value, body: () => ({ subject: 'Support', text: 'Matrisprov.' }) }, supportOnly()],
  'POST /api/v1/messages/threads/:id/attachments': [{ id: () => randomUUID(), body: () => ({ text: 'Matrisprov.', kind: 'journal', fileName: 'matris.pdf', content: Buffer.from('%PDF-1.4 matris').toString('base64') }) }, { ...all('out'), anonymous: 401 }],
  'GET /api/v1/messages/attachments/:id': [{ id: () => randomUUID() }, { ...all('out'), anonymous: 401 }],
  'GET /api/v1/messages/units/:id/recipients': [{ id: (i) => i.unitId }, unitData({ caseOfficer: 'out' })],
  'POST /api/v1/notices': [{ body: (i) => ({ title: 'Matrisprov', text: 'Matrisprov.', showFrom: new Date().toISOString(), showUntil: new Date(Date.now() + 3600_000).toISOString(), unitIds: [i.unitId] }) }, { ...all(403), anonymous: 401, administrator: 'in', caseOfficer: 'in' }],
  'POST /api/v1/notices/:id/withdraw': [{ id: () => randomUUID(), body: () => ({}) }, { ...all(403), anonymous: 401, administrator: 'out', caseOfficer: 'out' }],
};
/** Routes that end the caller's session run last: renewing without a permission revokes it, logging out ends it. */
const LAST = ['POST /api/v1/auth/renew', 'POST /api/v1/auth/logout'];
const ANNA_ID = { value: '' };

const PEOPLE = {
  staff: { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' },
  otherUnit: { hsaId: 'SE2321000131-P000000000104', givenName: 'Elin', familyName: 'Johansson' },
  manager: { hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm' },
  administrator: { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson' },
  caseOfficer: { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' },
  ended: { hsaId: 'SE2321000131-P000000000401', givenName: 'Edvin', familyName: 'Slut' },
  superuserNoUnit: { hsaId: 'SE2321000131-P000000000402', givenName: 'Siri', familyName: 'Stöd' },
};

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let base: string;
let pki: TestPki;
const tokens = {} as Record<Who, string | null>;
let ids: Ids;
/** Everything naming a client of the probed unit: ids and personnummer. */
let secrets: string[];

async function login(person: { hsaId: string; givenName: string; familyName: string }, officer = false): Promise<{ token: string; user: { id: string } }> {
  const card = await testCard(pki, person);
  return officer ? sessionFor(app, card, 'officer') : sessionFor(app, card);
}

beforeAll(async () => {
  database = await createSeededDatabase('route_matrix');
  db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const one = async (sql: string) => (await db.query<{ id: string }>(sql)).rows[0]!.id;
  const unitId = await one(`SELECT id FROM units WHERE name = 'Hemtjänst Majorna'`);
  const clients = (await db.query<{ id: string; personnummer: string }>('SELECT id, personnummer FROM clients WHERE unit_id = $1', [unitId])).rows;
  secrets = clients.flatMap((c) => [c.id, c.personnummer]);
  const assignmentId = await one(`SELECT id FROM assignments WHERE unit_id = '${unitId}' ORDER BY id LIMIT 1`);

  for (const who of ['staff', 'otherUnit', 'manager', 'administrator'] as const) tokens[who] = (await login(PEOPLE[who])).token;
  tokens.caseOfficer = (await login(PEOPLE.caseOfficer, true)).token;
  // Anna again, through the identity provider at LoA2 (server/auth/oidc.ts opens it like this; the
  // IdP itself is tested in test/unit/server/oidc.test.ts).
  tokens.staffLoa2 = newSessionToken();
  await db.query(
    `INSERT INTO auth_sessions (token_hash, staff_id, hsa_id, created_at, expires_at, absolute_expires_at, auth_method, loa)
     SELECT $1, id, hsa_id, now(), now() + interval '1 hour', now() + interval '12 hours', 'oidc', 2 FROM staff WHERE hsa_id = $2`,
    [hashToken(tokens.staffLoa2), PEOPLE.staff.hsaId],
  );
  tokens.anonymous = null;
  ANNA_ID.value = (await db.query<{ id: string }>('SELECT id FROM staff WHERE hsa_id = $1', [PEOPLE.staff.hsaId])).rows[0]!.id;

  // Made through the administration API itself: a person whose unit permission ends while she is
  // logged in, and a superuser who holds no unit.
  const admin = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens.administrator}` }, payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { id: string };
  };
  const edvin = await admin('/api/v1/admin/people', { ...PEOPLE.ended, title: 'Vårdbiträde' });
  const edvinGrant = Grant.parse(await admin('/api/v1/admin/grants', { staffId: edvin.id, role: 'staff', unitId, validFrom: swedishDate() }));
  tokens.ended = (await login(PEOPLE.ended)).token;
  await admin(`/api/v1/admin/grants/${edvinGrant.id}/end`, {});
  const siri = await admin('/api/v1/admin/people', { ...PEOPLE.superuserNoUnit, title: 'Superanvändare' });
  await admin('/api/v1/admin/grants', { staffId: siri.id, role: 'superuser', unitId: null, validFrom: swedishDate() });
  tokens.superuserNoUnit = (await login(PEOPLE.superuserNoUnit)).token;
  const clientId = clients[0]!.id;
  const incident = await app.inject({
    method: 'POST',
    url: '/api/v1/incidents',
    headers: { authorization: `Bearer ${tokens.staff}` },
    payload: { what: 'Matrisprov.', discoveredAt: swedishLocalDateTime(new Date()), personnummer: [clients[0]!.personnummer] },
  });
  expect(incident.statusCode, incident.body).toBe(200);
  ids = { unitId, clientId, assignmentId, grantId: edvinGrant.id, incidentId: (incident.json() as { id: string }).id };
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

/** One request over a real socket (an event stream is judged by its status, then closed). */
async function send(method: string, url: string, token: string | null, body: unknown): Promise<{ status: number; text: string }> {
  const abort = new AbortController();
  const headers: Record<string, string> = { 'x-workstation': 'WS-MATRIS' };
  if (token) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers, signal: abort.signal };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(`${base}${url}`, init);
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.status, text: '' };
  }
  return { status: res.status, text: await res.text() };
}

function matches(outcome: Outcome, status: number, text: string): boolean {
  switch (outcome) {
    case 'in':
      return (status >= 200 && status < 300) || status === 409;
    case 'out':
      return status === 403 || status === 404;
    case 'loa': {
      if (status !== 403) return false;
      const error = (JSON.parse(text) as { error: { code: string; message: string } }).error;
      return error.code === 'LOA_TOO_LOW' && /kräver tillitsnivå 3; din inloggning har nivå 2\. Logga in med SITHS-kortet/.test(error.message);
    }
    case 'held': {
      if (status !== 200) return false;
      const results = (JSON.parse(text) as { results: { status: string; error?: { code: string; message: string } }[] }).results;
      return results.length > 0 && results.every((r) => r.status === 'refused' && r.error?.code === 'LOA_TOO_LOW' && /kräver en högre tillitsnivå/.test(r.error.message));
    }
    case 'refused': {
      if (status !== 200) return false;
      const results = (JSON.parse(text) as { results: { status: string }[] }).results;
      return results.length > 0 && results.every((r) => r.status === 'refused');
    }
    default:
      return status === outcome;
  }
}

describe('role × endpoint matrix', () => {
  it('has a rule for every declared route, and no rule for a route that is gone', () => {
    const declared = declaredRoutes(app).map((r) => `${r.method} ${r.url}`);
    expect(declared.filter((r) => !(r in RULES)), 'routes without a rule in RULES').toEqual([]);
    expect(Object.keys(RULES).filter((r) => !declared.includes(r)), 'rules for routes that do not exist').toEqual([]);
  });

  it('every caller gets the outcome of the rule from every route, and no answer outside the unit names its clients', { timeout: 120_000 }, async () => {
    const routes = declaredRoutes(app)
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => r in RULES)
      .sort((a, b) => LAST.indexOf(a) - LAST.indexOf(b));
    const failures: string[] = [];
    /** The leak check has teeth: the unit's own staff are answered with its clients somewhere. */
    let namedToStaff = 0;
    for (const route of routes) {
      const [probe, rule] = RULES[route]!;
      const expected: Expect = { ...rule, staffLoa2: LOA2_HELD.has(route) ? 'held' : LOA2_OPEN.has(route) ? rule.staff : 'loa' };
      const [method, path] = route.split(' ') as [string, string];
      const url = path.replace(/:[A-Za-z]+/, probe.id ? probe.id(ids) : '') + (probe.query ? `?${probe.query}` : '');
      for (const who of WHO) {
        const { status, text } = await send(method, url, tokens[who], probe.body?.(ids));
        if (status >= 500) failures.push(`${route} as ${who}: ${status} ${text}`);
        else if (!matches(expected[who], status, text)) failures.push(`${route} as ${who}: expected ${expected[who]}, got ${status} ${text.slice(0, 200)}`);
        if (who === 'staff' && secrets.some((x) => text.includes(x))) namedToStaff++;
        if (OUTSIDE.includes(who) && status < 300) {
          const leaked = secrets.filter((s) => text.includes(s));
          if (leaked.length > 0) failures.push(`${route} as ${who}: the answer names ${leaked.length} client(s) of the unit she holds no permission for`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(namedToStaff).toBeGreaterThan(0);
  });
});
