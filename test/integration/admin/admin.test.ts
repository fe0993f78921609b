/**
 * Administration on a real PostgreSQL server (issue 17, docs/administration.md): the IT contact
 * person adds people (typed or from a card's certificate), grants units and roles for a period,
 * ends them with effect at once, and every step is in the history with who did it. Nobody grants
 * herself anything; a new administrator needs a second administrator's confirmation.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminPerson, Grant, HistoryResponse, LoginResponse, MyRoles, PeopleResponse, ServerErrorBody, swedishDate, UnitsResponse } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { bootstrapAdministrator } from '../../../server/admin/bootstrap';
import { createServer } from '../../../server/app';
import { type Db, openPostgres } from '../../../server/db';
import { runAdmin } from '../../../tools/admin';
import { generateTestPki, issuePersonCard, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';
import { openEvents } from '../../unit/server/sync-suite';

const PETER = { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson' };
const ANNA = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
const KARIN = { hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm' };
const NEW = { hsaId: 'SE2321000131-P000000000301', givenName: 'Nora', familyName: 'Ahmadi' };
const CARDED = { hsaId: 'SE2321000131-P000000000302', givenName: 'Kalle', familyName: 'Kort' };
/** The demo's second administrator (seed): four-eyes completes in the demo (issue 32). */
const SECOND = { hsaId: 'SE2321000131-P000000000109', givenName: 'Lena', familyName: 'Ström' };
const THIRD = { hsaId: 'SE2321000131-P000000000303', givenName: 'Vera', familyName: 'Andra' };

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let base: string;
let pki: TestPki;
const cards = new Map<string, CardFile>();
let peter: string;

async function login(person: { hsaId: string; givenName: string; familyName: string }): Promise<LoginResponse> {
  const card = cards.get(person.hsaId) ?? (await testCard(pki, person));
  cards.set(person.hsaId, card);
  return sessionFor(app, card);
}

const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(method === 'POST' ? { payload: (payload ?? {}) as object } : {}) });
  return { status: res.statusCode, body: res.json() as unknown };
};
const errorCode = (body: unknown) => ServerErrorBody.parse(body).error.code;

let units: { id: string; name: string }[];
const today = swedishDate(new Date());

beforeAll(async () => {
  database = await createSeededDatabase('admin');
  db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false, keepAliveMs: 60_000, coalesceMs: 20 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  peter = (await login(PETER)).token;
  units = PeopleResponse.parse((await call(peter, 'GET', '/api/v1/admin/people')).body).units;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

const unit = (name: string) => units.find((u) => u.name === name)!.id;

describe('the administrator', () => {
  it('holds it_contact for the whole organisation, and staff hold no role', async () => {
    expect(MyRoles.parse((await call(peter, 'GET', '/api/v1/me/roles')).body).roles).toEqual(
      expect.arrayContaining([{ role: 'it_contact', unitId: null }]),
    );
    const anna = await login(ANNA);
    expect(MyRoles.parse((await call(anna.token, 'GET', '/api/v1/me/roles')).body).roles).toEqual([]);
    for (const url of ['/api/v1/admin/people', '/api/v1/admin/history']) {
      const res = await call(anna.token, 'GET', url);
      expect(res.status).toBe(403);
      expect(errorCode(res.body)).toBe('FORBIDDEN');
    }
  });

  it('adds a person by HSA-ID; the same HSA-ID again is a conflict, not a second person', async () => {
    const res = await call(peter, 'POST', '/api/v1/admin/people', { ...NEW, title: 'Undersköterska' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(AdminPerson.parse(res.body)).toMatchObject({ hsaId: NEW.hsaId, givenName: 'Nora', grants: [] });
    const again = await call(peter, 'POST', '/api/v1/admin/people', { ...NEW, title: 'Undersköterska' });
    expect(again.status).toBe(409);
    expect(errorCode(again.body)).toBe('CONFLICT');
  });

  it('adds a person from the certificate of a card put in the reader: name and HSA-ID come from the validated certificate', async () => {
    const card = await issuePersonCard(pki, { ...CARDED, algorithm: 'ec', withSignatureKey: false });
    cards.set(CARDED.hsaId, card);
    const certificate = card.auth.certificateChainPem[0]!.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    const res = await call(peter, 'POST', '/api/v1/admin/people', { certificate, title: 'Vårdbiträde' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(AdminPerson.parse(res.body)).toMatchObject({ hsaId: CARDED.hsaId, givenName: 'Kalle', familyName: 'Kort', title: 'Vårdbiträde' });
    // A certificate of no trusted CA is refused with a reason, and nobody is added.
    const other = await generateTestPki();
    const foreign = (await issuePersonCard(other, { hsaId: 'SE2321000131-P000000000399', givenName: 'Fel', familyName: 'Utfärdare', algorithm: 'ec', withSignatureKey: false })).auth.certificateChainPem[0]!.replace(
      /-----(BEGIN|END) CERTIFICATE-----|\s/g,
      '',
    );
    const refused = await call(peter, 'POST', '/api/v1/admin/people', { certificate: foreign, title: 'X' });
    expect(refused.status).toBe(400);
    expect(ServerErrorBody.parse(refused.body).error.message).toContain('CERT_UNTRUSTED');
    expect(ServerErrorBody.parse(refused.body).error.details).toMatchObject({ certificateRefused: 'CERT_UNTRUSTED' });
    // A certificate without a given name (or surname): the refusal names the missing field, nobody is added.
    for (const [givenName, familyName, lacks, words] of [
      ['', 'Utannamn', ['givenName'], 'förnamn'],
      ['Utan', '', ['familyName'], 'efternamn'],
    ] as const) {
      const nameless = (await issuePersonCard(pki, { hsaId: 'SE2321000131-P000000000398', givenName, familyName, algorithm: 'ec', withSignatureKey: false })).auth.certificateChainPem[0]!.replace(
        /-----(BEGIN|END) CERTIFICATE-----|\s/g,
        '',
      );
      const res = await call(peter, 'POST', '/api/v1/admin/people', { certificate: nameless, title: 'X' });
      expect(res.status).toBe(400);
      const { error } = ServerErrorBody.parse(res.body);
      expect([error.code, error.details]).toEqual(['VALIDATION', { certificateLacks: lacks }]);
      expect(error.message).toBe(`Kortets certifikat saknar ${words}: lägg till personen med HSA-id och namn.`);
    }
    const people = PeopleResponse.parse((await call(peter, 'GET', '/api/v1/admin/people')).body).people;
    expect(people.some((p) => p.hsaId === 'SE2321000131-P000000000398')).toBe(false);
  });

  it('grants a unit: the person logs in and sees it; ending it removes the unit from her live session within 5 s', async () => {
    const person = PeopleResponse.parse((await call(peter, 'GET', '/api/v1/admin/people')).body).people.find((p) => p.hsaId === NEW.hsaId)!;
    const granted = await call(peter, 'POST', '/api/v1/admin/grants', { staffId: person.id, role: 'staff', unitId: unit('Hemtjänst Majorna'), validFrom: today });
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    const grant = Grant.parse(granted.body);
    expect(grant).toMatchObject({ role: 'staff', status: 'active', grantedBy: 'Peter Svensson', validTo: null });

    const nora = await login(NEW);
    expect(nora.units.map((u) => u.name)).toEqual(['Hemtjänst Majorna']);
    const events = await openEvents(base, nora.token);
    await events.next('ready');

    const t0 = Date.now();
    const ended = await call(peter, 'POST', `/api/v1/admin/grants/${grant.id}/end`, {});
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(Grant.parse(ended.body)).toMatchObject({ status: 'ended', endedBy: 'Peter Svensson' });
    expect(await events.next('changed', 5_000)).toEqual({ unitIds: [grant.unitId] });
    expect(Date.now() - t0).toBeLessThan(5_000);
    events.close();
    // The next request sees it gone; renewing the session is refused (she holds nothing any more).
    expect(UnitsResponse.parse((await call(nora.token, 'GET', '/api/v1/units')).body).units).toEqual([]);
    const renew = await call(nora.token, 'POST', '/api/v1/auth/renew');
    expect(errorCode(renew.body)).toBe('NO_ACTIVE_PERMISSION');
    // Ending it twice is a conflict; the grant stays on record as ended.
    expect((await call(peter, 'POST', `/api/v1/admin/grants/${grant.id}/end`, {})).status).toBe(409);
  });

  it('cannot grant herself anything', async () => {
    const me = (await login(PETER)).user.id;
    const res = await call(peter, 'POST', '/api/v1/admin/grants', { staffId: me, role: 'superuser', unitId: null, validFrom: today });
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('FORBIDDEN');
  });

  it('a role alone lets a person log in without any unit, and gives no client data', async () => {
    const kalle = PeopleResponse.parse((await call(peter, 'GET', '/api/v1/admin/people')).body).people.find((p) => p.hsaId === CARDED.hsaId)!;
    const res = await call(peter, 'POST', '/api/v1/admin/grants', { staffId: kalle.id, role: 'superuser', unitId: null, validFrom: today, validTo: '2099-12-31' });
    expect(Grant.parse(res.body)).toMatchObject({ role: 'superuser', status: 'active', unitId: null, validTo: '2099-12-31' });
    const session = await login(CARDED);
    expect(session.units).toEqual([]);
    expect(MyRoles.parse((await call(session.token, 'GET', '/api/v1/me/roles')).body).roles).toEqual([{ role: 'superuser', unitId: null }]);
    expect(UnitsResponse.parse((await call(session.token, 'GET', '/api/v1/units')).body).units).toEqual([]);
  });

  it('a grant of the administrator role waits for a second administrator; the grantor cannot confirm it', async () => {
    // The installation has its two administrators (bootstrap allows two, so four-eyes can start): no third one that way.
    await expect(
      bootstrapAdministrator(db, { organisation: 'Omsorgsbolaget Väst AB', municipality: 'Göteborg', units: [], person: { ...THIRD, title: 'IT-kontaktperson' } }, new Date()),
    ).rejects.toThrow(/redan administratörer/);
    const lena = (await login(SECOND)).token;
    const nora = PeopleResponse.parse((await call(peter, 'GET', '/api/v1/admin/people')).body).people.find((p) => p.hsaId === NEW.hsaId)!;
    const pending = Grant.parse((await call(peter, 'POST', '/api/v1/admin/grants', { staffId: nora.id, role: 'it_contact', unitId: null, validFrom: today })).body);
    expect(pending).toMatchObject({ status: 'pending_confirmation', confirmedBy: null });
    // Not in force: Nora holds no role yet.
    expect((await call((await login(KARIN)).token, 'GET', '/api/v1/admin/people')).status).toBe(403);
    const self = await call(peter, 'POST', `/api/v1/admin/grants/${pending.id}/confirm`, {});
    expect(self.status).toBe(403);
    const confirmed = await call(lena, 'POST', `/api/v1/admin/grants/${pending.id}/confirm`, {});
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(Grant.parse(confirmed.body)).toMatchObject({ status: 'active', grantedBy: 'Peter Svensson', confirmedBy: 'Lena Ström' });
  });

  it('keeps every grant, confirmation and end in the history with who did it', async () => {
    const res = await call(peter, 'GET', '/api/v1/admin/history');
    const events = HistoryResponse.parse(res.body).events;
    const nora = events.filter((e) => e.targetName === 'Nora Ahmadi').map((e) => [e.action, e.actorName, e.role, e.unitName]);
    expect(nora).toEqual([
      ['confirmed', 'Lena Ström', 'it_contact', null],
      ['granted', 'Peter Svensson', 'it_contact', null],
      ['ended', 'Peter Svensson', 'staff', 'Hemtjänst Majorna'],
      ['granted', 'Peter Svensson', 'staff', 'Hemtjänst Majorna'],
      ['person_added', 'Peter Svensson', null, null],
    ]);
    // The history is append-only in the database itself.
    await expect(db.query('DELETE FROM permission_events')).rejects.toThrow(/append-only/);
  });

  it('npm run admin -- bootstrap refuses a third administrator and explains usage errors', async () => {
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    expect(await runAdmin(['bootstrap', '--organisation', 'X'], { DATABASE_URL: database.url }, out)).toBe(2);
    expect(lines.at(-1)).toContain('Användning');
    const args = ['bootstrap', '--organisation', 'Omsorgsbolaget Väst AB', '--municipality', 'Göteborg', '--hsa-id', 'SE2321000131-P000000000304', '--given-name', 'Tredje', '--family-name', 'Admin', '--title', 'IT'];
    expect(await runAdmin(args, { DATABASE_URL: database.url }, out)).toBe(1);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ ok: false, code: 'CONFLICT' });
    // A new installation: the organisation, its unit and its first administrator.
    const fresh = ['bootstrap', '--organisation', 'Ny Omsorg AB', '--municipality', 'Borås', '--hsa-id', 'SE2321000131-P000000000305', '--given-name', 'Första', '--family-name', 'Admin', '--title', 'IT-kontaktperson', '--unit', 'Daglig verksamhet Norr:daglig_verksamhet'];
    expect(await runAdmin(fresh, { DATABASE_URL: database.url }, out)).toBe(0);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ ok: true, createdOrganisation: true });
    const { rows } = await db.query<{ name: string }>(`SELECT u.name FROM units u JOIN organisations o ON o.id = u.organisation_id WHERE o.name = 'Ny Omsorg AB'`);
    expect(rows.map((r) => r.name)).toEqual(['Daglig verksamhet Norr']);
  });
});
