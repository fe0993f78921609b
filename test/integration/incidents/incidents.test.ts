/**
 * Security incidents on a real PostgreSQL server (issue 17, docs/incidents.md): staff report an
 * incident and see only their own reports; the administrator sees the organisation's, with the
 * 48-hour deadline computed by the server, records the report to the municipality and closes
 * the incident. Whatever names a client is in the access log. Bad input is a Swedish 400.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Incident, IncidentList, ServerErrorBody, swedishLocalDateTime } from '#contract';
import { createServer } from '../../../server/app';
import { type Db, openPostgres } from '../../../server/db';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';

const PETER = { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson' };
const ANNA = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
const ELIN = { hsaId: 'SE2321000131-P000000000104', givenName: 'Elin', familyName: 'Johansson' };
const MARIA = { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' };
const TOLVAN = '19121212-1212';
const HOUR = 3600_000;

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let pki: TestPki;
const tokens = { peter: '', anna: '', elin: '', maria: '' };
let tolvanId: string;

const login = async (person: typeof PETER, officer = false): Promise<string> => {
  const card = await testCard(pki, person);
  return (officer ? await sessionFor(app, card, 'officer') : await sessionFor(app, card)).token;
};
const post = async (token: string, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'x-workstation': 'WS-INCIDENT' }, payload });
  return { status: res.statusCode, body: res.json() as unknown };
};
const get = async (token: string, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() as unknown };
};
const ago = (ms: number) => swedishLocalDateTime(new Date(Date.now() - ms));
const report = async (token: string, body: object) => {
  const res = await post(token, '/api/v1/incidents', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return Incident.parse(res.body);
};
const refusal = (res: { status: number; body: unknown }) => ({ status: res.status, ...ServerErrorBody.parse(res.body).error });

beforeAll(async () => {
  database = await createSeededDatabase('incidents');
  db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
  await app.ready();
  tokens.peter = await login(PETER);
  tokens.anna = await login(ANNA);
  tokens.elin = await login(ELIN);
  tokens.maria = await login(MARIA, true);
  tolvanId = (await db.query<{ id: string }>(`SELECT id FROM clients WHERE personnummer = '191212121212'`)).rows[0]!.id;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

describe('reporting an incident', () => {
  let annas: Incident;

  it('anyone of the provider reports one: what, when discovered, systems and her clients; the deadline is discovery + 48 h', async () => {
    const discovered = ago(2 * HOUR);
    annas = await report(tokens.anna, { what: 'En bärbar dator med arbetsstationen glömdes på bussen.', discoveredAt: discovered, systems: 'Omsorgsportalen', personnummer: [TOLVAN] });
    expect(annas).toMatchObject({ status: 'open', overdue: false, reportedBy: 'Anna Lindqvist', systems: 'Omsorgsportalen', clientCount: 1, municipality: null, closed: null });
    expect(annas.clients).toEqual([{ id: tolvanId, name: 'Tolvan Tolvansson', personnummer: '191212121212' }]);
    expect(new Date(annas.deadlineAt).getTime() - new Date(annas.discoveredAt).getTime()).toBe(48 * HOUR);
    // The Swedish wall-clock time as typed, to the minute.
    expect(swedishLocalDateTime(new Date(annas.discoveredAt))).toBe(discovered);
  });

  it('the report naming a client is a change in the access log for that client (never its text)', async () => {
    const { rows } = await db.query<{ action: string; client_id: string; record_id: string; workstation: string }>(
      `SELECT action, client_id, record_id, workstation FROM access_log WHERE record_type = 'security_incident' ORDER BY id`,
    );
    expect(rows).toEqual([{ action: 'change', client_id: tolvanId, record_id: annas.id, workstation: 'WS-INCIDENT' }]);
  });

  it('staff may name only clients of their own units; a client elsewhere is refused as unknown', async () => {
    const res = await post(tokens.elin, '/api/v1/incidents', { what: 'Misstänkt intrång.', discoveredAt: ago(HOUR), personnummer: [TOLVAN] });
    expect(refusal(res)).toMatchObject({ status: 400, code: 'VALIDATION', message: 'Personnummer nr 1 finns inte bland dina brukare.' });
  });

  it('staff see only their own reports, and another\'s report answers 404', async () => {
    await report(tokens.elin, { what: 'Phishingmejl till enheten.', discoveredAt: ago(HOUR) });
    const annaList = IncidentList.parse((await get(tokens.anna, '/api/v1/incidents')).body);
    expect(annaList.scope).toBe('own');
    expect(annaList.incidents.map((i) => i.reportedBy)).toEqual(['Anna Lindqvist']);
    // Lists name no client: only how many.
    expect(annaList.incidents[0]!.clients).toBeNull();
    expect(annaList.incidents[0]!.clientCount).toBe(1);
    const res = await get(tokens.elin, `/api/v1/incidents/${annas.id}`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('191212121212');
  });

  it('bad input is a Swedish 400, never a 500', async () => {
    const cases: [object, RegExp][] = [
      [{ what: '   ', discoveredAt: ago(HOUR) }, /tom/],
      [{ what: 'x', discoveredAt: '2026-13-01T10:00' }, /finns inte/],
      [{ what: 'x', discoveredAt: '1850-01-01T10:00' }, /1900/],
      [{ what: 'x', discoveredAt: 'igår' }, /Ange datum och klockslag/],
      [{ what: 'x\u0000', discoveredAt: ago(HOUR) }, /NUL/],
      [{ what: 'x', discoveredAt: ago(-3 * HOUR) }, /framtiden/],
      [{ what: 'x', discoveredAt: ago(HOUR), personnummer: ['19121212-1213'] }, /personnummer/i],
      [{ what: 'x', discoveredAt: ago(HOUR), extra: 1 }, /./],
    ];
    for (const [body, message] of cases) {
      const r = refusal(await post(tokens.anna, '/api/v1/incidents', body));
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.code).toBe('VALIDATION');
      expect(JSON.stringify(r), JSON.stringify(body)).toMatch(message);
    }
  });

  it('a case officer of the municipality reports nothing here (403)', async () => {
    expect((await post(tokens.maria, '/api/v1/incidents', { what: 'x', discoveredAt: ago(HOUR) })).status).toBe(403);
    expect((await get(tokens.maria, '/api/v1/incidents')).status).toBe(403);
  });
});

describe('the administrator', () => {
  let overdue: Incident;

  it('sees every report of the organisation, the overdue first, the deadline and overdue computed by the server', async () => {
    overdue = await report(tokens.anna, { what: 'Obehörig inloggning upptäckt i efterhand.', discoveredAt: ago(50 * HOUR) });
    const list = IncidentList.parse((await get(tokens.peter, '/api/v1/incidents')).body);
    expect(list.scope).toBe('organisation');
    expect(list.incidents.length).toBe(3);
    expect(list.incidents[0]).toMatchObject({ id: overdue.id, status: 'open', overdue: true });
    expect(list.incidents.slice(1).every((i) => !i.overdue)).toBe(true);
    expect(new Date(list.incidents[0]!.deadlineAt).getTime()).toBeLessThan(new Date(list.now).getTime());
  });

  it('opening an incident names its clients and is a read in the access log', async () => {
    const annas = IncidentList.parse((await get(tokens.peter, '/api/v1/incidents')).body).incidents.find((i) => i.clientCount === 1)!;
    const one = Incident.parse((await get(tokens.peter, `/api/v1/incidents/${annas.id}`)).body);
    expect(one.clients!.map((c) => c.personnummer)).toEqual(['191212121212']);
    const { rows } = await db.query<{ actor_hsa_id: string }>(`SELECT actor_hsa_id FROM access_log WHERE record_type = 'security_incident' AND action = 'read' AND record_id = $1`, [annas.id]);
    expect(rows).toEqual([{ actor_hsa_id: PETER.hsaId }]);
  });

  it('staff may not record the report to the municipality nor close (403)', async () => {
    const annas = IncidentList.parse((await get(tokens.anna, '/api/v1/incidents')).body).incidents[0]!;
    expect(refusal(await post(tokens.anna, `/api/v1/incidents/${annas.id}/municipality`, { reportedAt: ago(0), channel: 'phone' }))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await post(tokens.anna, `/api/v1/incidents/${annas.id}/close`, {})).status).toBe(403);
  });

  it('closing before the report to the municipality is refused (409); the report is checked and recorded, late when after the deadline', async () => {
    expect(refusal(await post(tokens.peter, `/api/v1/incidents/${overdue.id}/close`, {}))).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(refusal(await post(tokens.peter, `/api/v1/incidents/${overdue.id}/municipality`, { reportedAt: ago(51 * HOUR), channel: 'phone' }))).toMatchObject({ status: 400, message: /före upptäckten/ });
    expect(refusal(await post(tokens.peter, `/api/v1/incidents/${overdue.id}/municipality`, { reportedAt: ago(0), channel: 'fax' }))).toMatchObject({ status: 400, code: 'VALIDATION' });
    const res = await post(tokens.peter, `/api/v1/incidents/${overdue.id}/municipality`, { reportedAt: ago(0), channel: 'portal', reference: 'Ärende 2026-1234' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const reported = Incident.parse(res.body);
    expect(reported).toMatchObject({ status: 'reported', overdue: false, municipality: { channel: 'portal', reference: 'Ärende 2026-1234', by: 'Peter Svensson', late: true } });
    expect((await post(tokens.peter, `/api/v1/incidents/${overdue.id}/municipality`, { reportedAt: ago(0), channel: 'phone' })).status).toBe(409);
  });

  it('closes it, once; the reporter sees it closed', async () => {
    const closed = Incident.parse((await post(tokens.peter, `/api/v1/incidents/${overdue.id}/close`, { comment: 'Lösenord bytta, kommunen informerad.' })).body);
    expect(closed).toMatchObject({ status: 'closed', closed: { by: 'Peter Svensson', comment: 'Lösenord bytta, kommunen informerad.' } });
    expect((await post(tokens.peter, `/api/v1/incidents/${overdue.id}/close`, {})).status).toBe(409);
    const annas = IncidentList.parse((await get(tokens.anna, '/api/v1/incidents')).body).incidents;
    expect(annas.find((i) => i.id === overdue.id)?.status).toBe('closed');
  });

  it('the record is evidence: never deleted, what was reported and the report to the municipality never rewritten', async () => {
    await expect(db.query(`DELETE FROM security_incidents WHERE id = $1`, [overdue.id])).rejects.toThrow(/not allowed/);
    await expect(db.query(`UPDATE security_incidents SET what = 'annat' WHERE id = $1`, [overdue.id])).rejects.toThrow(/cannot be changed/);
    await expect(db.query(`UPDATE security_incidents SET municipality_reference = 'annat' WHERE id = $1`, [overdue.id])).rejects.toThrow(/cannot be changed/);
    await expect(db.query(`DELETE FROM security_incident_clients`)).rejects.toThrow(/append-only/);
  });

  it('an administrator of one unit follows up every incident, but sees only her units\' clients named', async () => {
    // Elin becomes IT contact person for her own unit only (as the bootstrap would: confirmed, in force today).
    await db.query(
      `INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at)
       SELECT s.id, s.organisation_id, p.unit_id, 'it_contact', current_date - 1, now() FROM staff s JOIN permissions p ON p.staff_id = s.id WHERE s.hsa_id = $1 LIMIT 1`,
      [ELIN.hsaId],
    );
    const list = IncidentList.parse((await get(tokens.elin, '/api/v1/incidents')).body);
    expect(list.scope).toBe('organisation');
    const annas = list.incidents.find((i) => i.clientCount === 1)!;
    expect(annas.reportedBy).toBe('Anna Lindqvist');
    const one = await get(tokens.elin, `/api/v1/incidents/${annas.id}`);
    expect(Incident.parse(one.body)).toMatchObject({ clientCount: 1, clients: [] });
    expect(JSON.stringify(one.body)).not.toContain('191212121212');
    await db.query(`DELETE FROM role_grants WHERE staff_id = (SELECT id FROM staff WHERE hsa_id = $1)`, [ELIN.hsaId]);
  });

  it('an unknown or malformed id answers 404', async () => {
    expect((await get(tokens.peter, '/api/v1/incidents/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get(tokens.peter, '/api/v1/incidents/inte-ett-id')).status).toBe(404);
    expect((await post(tokens.peter, '/api/v1/incidents/inte-ett-id/close', {})).status).toBe(404);
  });
});

describe('access-log exports', () => {
  it('the rows for a PDF are an export in the access log, with the criteria in words', async () => {
    const res = await post(tokens.peter, '/api/v1/admin/access-log/export', { personnummer: TOLVAN });
    expect(res.status).toBe(200);
    const body = res.body as { rows: unknown[]; criteria: string };
    expect(body.criteria).toBe('Sökning: brukare Tolvan Tolvansson');
    expect(body.rows.length).toBeGreaterThan(0);
    const { rows } = await db.query<{ action: string }>(`SELECT action FROM access_log WHERE record_type = 'access_log' AND client_id = $1 ORDER BY id DESC LIMIT 1`, [tolvanId]);
    expect(rows).toEqual([{ action: 'export' }]);
  });

  it('a review handed out for printing is an export of the review; staff are refused', async () => {
    const search = (await post(tokens.peter, '/api/v1/admin/access-log/search', { personnummer: TOLVAN })).body as { rows: { id: string }[] };
    const review = (await post(tokens.peter, '/api/v1/admin/access-log/reviews', { kind: 'search', search: { personnummer: TOLVAN }, findings: [{ logId: search.rows[0]!.id, verdict: 'justified', comment: '' }], summary: 'I sin ordning.' })).body as { id: string };
    const res = await post(tokens.peter, `/api/v1/admin/access-log/reviews/${review.id}/export`, {});
    expect(res.status).toBe(200);
    const { rows } = await db.query<{ action: string }>(`SELECT action FROM access_log WHERE record_type = 'access_log_review' AND record_id = $1 ORDER BY id`, [review.id]);
    expect(rows.map((r) => r.action)).toEqual(['change', 'export']);
    expect((await post(tokens.anna, `/api/v1/admin/access-log/reviews/${review.id}/export`, {})).status).toBe(403);
  });
});
