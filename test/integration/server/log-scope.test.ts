/**
 * Access-log follow-up within the administrator's reach (issue 25, point 2; docs/administration.md):
 * an IT contact whose role covers one unit sees that unit's clients in the log and no other's —
 * in the search, the CSV, the rows for the PDF, the random sample and the reviews; an
 * administrator of another organisation sees none of ours, even in rows her own people wrote.
 * On a real PostgreSQL. Before, the search, CSV, PDF, sample and review routes answered with
 * every unit's clients, and the other organisation's CSV named ours.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCsv, LogSearchResponse, Review, ReviewList } from '#contract';
import { SqlAccessLog } from '../../../server/audit/access-log';
import type { Db } from '../../../server/db';
import { addOrganisation, addPerson, grantRole, startDemoServer, type DemoServer } from '../../support/world';
import { sessionFor, testCard } from '../../unit/server/auth-suite';

const PETER = { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson' }; // administrator of the whole organisation
const ULLA = { hsaId: 'SE2321000131-P000000000951', givenName: 'Ulla', familyName: 'Enhetsadmin' }; // administrator of Hemtjänst Majorna only
const BERTIL = { hsaId: 'SE2321000999-P000000000952', givenName: 'Bertil', familyName: 'Annanorg' }; // administrator of another organisation
const FREDRIK = { hsaId: 'SE2321000999-P000000000953', givenName: 'Fredrik', familyName: 'Främling' }; // staff of the other organisation

let server: DemoServer;
let db: Db;
let app: FastifyInstance;
const tokens = {} as Record<'peter' | 'ulla' | 'bertil', string>;
/** Our clients, by unit: ids and personnummer (as the log shows them). */
const ours = { hemtjanst: [] as string[], daglig: [] as string[] };
let tolvan: { id: string; personnummer: string };
let sofia: { id: string; personnummer: string };

const post = async (token: string, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'x-workstation': 'WS-IT' }, payload });
  return { status: res.statusCode, text: res.body, body: res.json() as unknown };
};
const get = async (token: string, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, text: res.body, body: res.json() as unknown };
};
const dashed = (p: string) => `${p.slice(0, 8)}-${p.slice(8)}`;
const names = (text: string, secrets: string[]) => secrets.filter((s) => text.includes(s));

beforeAll(async () => {
  server = await startDemoServer('log_scope');
  ({ db, app } = server);

  const { rows: units } = await db.query<{ id: string; name: string; organisation_id: string }>('SELECT id, name, organisation_id FROM units');
  const hemtjanst = units.find((u) => u.name === 'Hemtjänst Majorna')!;
  const daglig = units.find((u) => u.name === 'Daglig verksamhet Hisingen')!;
  const clients = (await db.query<{ id: string; personnummer: string; unit_id: string }>('SELECT id, personnummer, unit_id FROM clients ORDER BY personnummer')).rows;
  for (const c of clients) (c.unit_id === hemtjanst.id ? ours.hemtjanst : ours.daglig).push(c.id, c.personnummer);
  tolvan = clients.find((c) => c.personnummer === '191212121212')!;
  sofia = clients.find((c) => c.unit_id === daglig.id)!;

  const ulla = await addPerson(db, { ...ULLA, role: 'it_contact', organisationId: hemtjanst.organisation_id });
  await grantRole(db, ulla, hemtjanst.organisation_id, hemtjanst.id, 'it_contact');
  const other = await addOrganisation(db, 'Annat Omsorgsbolag AB', ['Annan hemtjänst']);
  const bertil = await addPerson(db, { ...BERTIL, role: 'it_contact', organisationId: other.id });
  await grantRole(db, bertil, other.id, null, 'it_contact');
  const fredrik = await addPerson(db, { ...FREDRIK, organisationId: other.id });

  // Reads of a client of each unit by our staff, and a read of ours by the other organisation's
  // Fredrik (as a thread naming him let him make before point 1 was fixed).
  const staffId = async (hsa: string) => (await db.query<{ id: string }>('SELECT id FROM staff WHERE hsa_id = $1', [hsa])).rows[0]!.id;
  const anna = await staffId('SE2321000131-P000000000101');
  const elin = await staffId('SE2321000131-P000000000104');
  const log = new SqlAccessLog(db);
  const at = new Date();
  await log.record({ action: 'read', outcome: 'success', actorStaffId: anna, actorHsaId: 'SE2321000131-P000000000101', clientId: tolvan.id, recordType: 'journal', at });
  await log.record({ action: 'read', outcome: 'success', actorStaffId: elin, actorHsaId: 'SE2321000131-P000000000104', clientId: sofia.id, recordType: 'journal', at });
  await log.record({ action: 'read', outcome: 'success', actorStaffId: fredrik, actorHsaId: FREDRIK.hsaId, clientId: tolvan.id, recordType: 'message_attachment', at });
  await log.record({ action: 'export', outcome: 'success', actorStaffId: fredrik, actorHsaId: FREDRIK.hsaId, clientId: sofia.id, recordType: 'message_attachment', at });

  for (const [key, person] of [['peter', PETER], ['ulla', ULLA], ['bertil', BERTIL]] as const) tokens[key] = (await sessionFor(app, await testCard(server.pki, person))).token;
}, 120_000);

afterAll(async () => {
  await server?.close();
});

/** Every read route of the follow-up, as `who`: search, CSV, the PDF's rows, the sample. */
async function everyRead(token: string, search: object = {}) {
  const answers = {
    search: await post(token, '/api/v1/admin/access-log/search', search),
    csv: await post(token, '/api/v1/admin/access-log/csv', search),
    pdf: await post(token, '/api/v1/admin/access-log/export', search),
    sample: await post(token, '/api/v1/admin/access-log/sample', { size: 100 }),
  };
  for (const [route, a] of Object.entries(answers)) expect(a.status, `${route}: ${a.text.slice(0, 200)}`).toBe(200);
  return answers;
}

describe('the access log within the administrator’s reach', { timeout: 60_000 }, () => {
  it('an administrator of one unit sees that unit’s clients and no other unit’s: search, CSV, PDF rows and sample', async () => {
    const answers = await everyRead(tokens.ulla);
    for (const [route, a] of Object.entries(answers)) expect(names(a.text, ours.daglig), route).toEqual([]);
    expect(names(answers.search.text, ours.hemtjanst)).toContain(tolvan.personnummer);
    expect(LogCsv.parse(answers.csv.body).csv).toContain(tolvan.personnummer);
    // Naming the other unit's client finds nothing, and nothing of hers.
    const aimed = await everyRead(tokens.ulla, { personnummer: dashed(sofia.personnummer) });
    expect(LogSearchResponse.parse(aimed.search.body).rows).toEqual([]);
    for (const [route, a] of Object.entries(aimed)) expect(names(a.text, ours.daglig), route).toEqual([]);
  });

  it('an administrator of another organisation sees no client of ours, not even in rows her own staff wrote', async () => {
    const answers = await everyRead(tokens.bertil);
    for (const [route, a] of Object.entries(answers)) expect(names(a.text, [...ours.hemtjanst, ...ours.daglig]), route).toEqual([]);
    const aimed = await post(tokens.bertil, '/api/v1/admin/access-log/csv', { personnummer: dashed(tolvan.personnummer) });
    expect(names(aimed.text, [...ours.hemtjanst, ...ours.daglig])).toEqual([]);
  });

  it('the administrator of the whole organisation sees both units, and the other organisation’s reads of our clients', async () => {
    const { search } = await everyRead(tokens.peter);
    expect(names(search.text, [tolvan.personnummer, sofia.personnummer])).toEqual([tolvan.personnummer, sofia.personnummer]);
    expect(search.text).toContain(FREDRIK.hsaId);
  });

  it('reviews: an administrator of one unit reads her own reviews, not the organisation’s naming other units’ clients', async () => {
    const page = LogSearchResponse.parse((await post(tokens.peter, '/api/v1/admin/access-log/search', { personnummer: dashed(sofia.personnummer) })).body);
    expect(page.rows.length).toBeGreaterThan(0);
    const made = await post(tokens.peter, '/api/v1/admin/access-log/reviews', {
      kind: 'search',
      search: { personnummer: dashed(sofia.personnummer) },
      summary: 'Granskat.',
      findings: [{ logId: page.rows[0]!.id, verdict: 'justified', comment: 'Ok.' }],
    });
    expect(made.status, made.text).toBe(200);
    const review = Review.parse(made.body);
    expect(ReviewList.parse((await get(tokens.ulla, '/api/v1/admin/access-log/reviews')).body).reviews.map((r) => r.id)).not.toContain(review.id);
    expect((await get(tokens.ulla, `/api/v1/admin/access-log/reviews/${review.id}`)).status).toBe(404);
    expect((await post(tokens.ulla, `/api/v1/admin/access-log/reviews/${review.id}/export`, {})).status).toBe(404);
    expect((await get(tokens.bertil, `/api/v1/admin/access-log/reviews/${review.id}`)).status).toBe(404);
    // Nor can she file a finding on a row outside her reach.
    const foreign = await post(tokens.ulla, '/api/v1/admin/access-log/reviews', { kind: 'sample', sampleSize: 1, summary: 'x', findings: [{ logId: page.rows[0]!.id, verdict: 'justified', comment: '' }] });
    expect(foreign.status).toBe(400);
    expect(names(foreign.text, ours.daglig)).toEqual([]);
    expect(ReviewList.parse((await get(tokens.peter, '/api/v1/admin/access-log/reviews')).body).reviews.map((r) => r.id)).toContain(review.id);
  });
});
