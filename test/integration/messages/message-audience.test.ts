/**
 * Who may be in a thread, checked by the server (issue 25, point 1; docs/messages.md "Secrecy"):
 * a thread about a client is read only by people who may see that client — a permission for its
 * unit today, or the case officer of one of its assignments — and only while they may; a thread
 * about no client only among people of the organisation and the case officers it works with.
 * On a real PostgreSQL, through the API, the push and the pull. Each of these failed before: the
 * server took any staff id as a participant, and a participant read on after her permission ended.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadDetail, ThreadListResponse, type Mutation, API_VERSION, API_VERSION_HEADER } from '#contract';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { sessionFor, testCard } from '../../unit/server/auth-suite';
import { startSyncHarness, type Session, type SyncHarness } from '../../unit/server/sync-suite';

let database: TestDatabase;
let db: Db;
let pki: TestPki;
let h: SyncHarness;
let sara: Session; // both units of the demo organisation
let anna: Session; // Hemtjänst Majorna only
const people = {} as Record<'elin' | 'maria' | 'otherOfficer' | 'foreign' | 'leaving', { id: string; token: string }>;

const PERSONS = {
  elin: { hsaId: 'SE2321000131-P000000000104', givenName: 'Elin', familyName: 'Johansson' }, // Daglig verksamhet only
  maria: { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' }, // sent the demo assignments
  otherOfficer: { hsaId: 'SE2120001355-P000000000299', givenName: 'Olle', familyName: 'Annan' }, // a case officer who sent none
  foreign: { hsaId: 'SE2321000999-P000000000901', givenName: 'Fredrik', familyName: 'Främling' }, // another provider organisation
  leaving: { hsaId: 'SE2321000131-P000000000931', givenName: 'Lova', familyName: 'Slutar' }, // Daglig verksamhet; her permission ends
};

beforeAll(async () => {
  database = await createSeededDatabase('message_audience');
  db = await openPostgres({ connectionString: database.url, maxConnections: 8 });
  pki = await generateTestPki();
  h = await startSyncHarness(db, { pki });
  [sara, anna] = [await h.login('sara'), await h.login('anna')];
  await db.query(`INSERT INTO staff (hsa_id, given_name, family_name, title, role) VALUES ($1, 'Olle', 'Annan', 'Biståndshandläggare', 'case_officer')`, [PERSONS.otherOfficer.hsaId]);
  const other = (await db.query<{ id: string }>(`INSERT INTO organisations (name, municipality) VALUES ('Annat Omsorgsbolag AB', 'Göteborg') RETURNING id`)).rows[0]!.id;
  const otherUnit = (await db.query<{ id: string }>(`INSERT INTO units (organisation_id, name, service_type) VALUES ($1, 'Annan hemtjänst', 'hemtjanst') RETURNING id`, [other])).rows[0]!.id;
  const foreign = (await db.query<{ id: string }>(`INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, 'Fredrik', 'Främling', 'Undersköterska', 'staff', $2) RETURNING id`, [PERSONS.foreign.hsaId, other])).rows[0]!.id;
  await db.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) VALUES ($1, $2, '2025-01-01')`, [foreign, otherUnit]);
  const leaving = (await db.query<{ id: string }>(`INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) SELECT $1, 'Lova', 'Slutar', 'Stödpedagog', 'staff', organisation_id FROM units WHERE id = $2 RETURNING id`, [PERSONS.leaving.hsaId, h.units.daglig])).rows[0]!.id;
  await db.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) VALUES ($1, $2, '2025-01-01')`, [leaving, h.units.daglig]);
  for (const [key, person] of Object.entries(PERSONS) as [keyof typeof PERSONS, (typeof PERSONS)[keyof typeof PERSONS]][]) {
    const card = await testCard(pki, person);
    const officer = key === 'maria' || key === 'otherOfficer';
    const { token, user } = officer ? await sessionFor(h.app, card, 'officer') : await sessionFor(h.app, card);
    people[key] = { id: user.id, token };
  }
}, 120_000);
afterAll(async () => {
  await h?.app.close();
  await db?.close();
  await database?.drop();
});

const api = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'x-workstation': 'WS-MEDD' }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() as { error?: { code: string; message: string } } };
};
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n').toString('base64');

describe('who may be in a thread (the server checks)', { timeout: 60_000 }, () => {
  it('a thread about a client refuses, in Swedish, a person of another organisation, a colleague of another unit and a case officer without an assignment for the client; the client’s case officer may be named', async () => {
    const clientId = await h.client('hemtjanst');
    const base = { unitId: h.units.hemtjanst, subject: 'Journalutdrag', clientId, toUnit: false, text: 'Se bifogat.' };
    for (const outsider of ['foreign', 'elin', 'otherOfficer'] as const) {
      const r = await api(sara.token, 'POST', '/api/v1/messages/threads', { ...base, participantIds: [people[outsider].id] });
      expect(r.status, outsider).toBe(400);
      expect(r.body.error!.message).toMatch(/får inte se brukaren/);
    }
    // Nor with someone allowed beside them.
    expect((await api(sara.token, 'POST', '/api/v1/messages/threads', { ...base, participantIds: [anna.staffId, people.foreign.id] })).status).toBe(400);
    expect((await db.query('SELECT 1 FROM message_threads WHERE $1 = ANY(participant_ids)', [people.foreign.id])).rows).toEqual([]);

    const ok = await api(sara.token, 'POST', '/api/v1/messages/threads', { ...base, participantIds: [anna.staffId, people.maria.id] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const thread = ThreadDetail.parse(ok.body).thread;
    expect((await api(people.maria.token, 'GET', `/api/v1/messages/threads/${thread.id}`)).status).toBe(200);
    expect((await api(anna.token, 'GET', `/api/v1/messages/threads/${thread.id}`)).status).toBe(200);
  });

  it('the recipient picker about a client offers only who may see it: the case officers of the client’s assignments; a client of another unit is 404', async () => {
    const recipients = async (query: string) => api(sara.token, 'GET', `/api/v1/messages/units/${h.units.hemtjanst}/recipients${query}`);
    const officers = (r: { body: unknown }) => (r.body as { people: { staffId: string; kind: string }[] }).people.filter((p) => p.kind === 'case_officer').map((p) => p.staffId);
    expect(officers(await recipients(''))).toContain(people.maria.id);
    const one = async (sql: string) => (await db.query<{ id: string }>(sql, [h.units.hemtjanst])).rows[0]!.id;
    const withAssignment = await one('SELECT client_id AS id FROM assignments WHERE unit_id = $1 LIMIT 1');
    const withoutAssignment = await one('SELECT id FROM clients c WHERE unit_id = $1 AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.client_id = c.id) LIMIT 1');
    expect(officers(await recipients(`?clientId=${withAssignment}`))).toContain(people.maria.id);
    const none = await recipients(`?clientId=${withoutAssignment}`);
    expect(none.status).toBe(200);
    expect(officers(none)).toEqual([]);
    expect((none.body as { people: unknown[] }).people.length).toBeGreaterThan(0); // the unit's colleagues still
    expect((await recipients(`?clientId=${await h.client('daglig')}`)).status).toBe(404);
  });

  it('a case officer cannot start a thread about a client she sent no assignment for, nor name someone who may not see the client', async () => {
    const clientId = await h.client('hemtjanst', 1);
    const body = { subject: 'Fråga', clientId, toUnit: true, participantIds: [], text: 'Hur går det?' };
    expect((await api(people.otherOfficer.token, 'POST', '/api/v1/messages/threads', body)).status).toBe(404);
    const named = await api(people.maria.token, 'POST', '/api/v1/messages/threads', { ...body, participantIds: [people.foreign.id] });
    expect(named.status).toBe(400);
    expect(named.body.error!.message).toMatch(/Fredrik Främling får inte se brukaren/);
  });

  it('a thread about no client stays within the organisation and its case officers: another organisation’s person and an officer it does not work with are refused', async () => {
    const base = { unitId: h.units.hemtjanst, subject: 'Schemat', clientId: null, toUnit: false, text: 'Kan du byta pass?' };
    for (const outsider of ['foreign', 'otherOfficer'] as const) {
      const r = await api(sara.token, 'POST', '/api/v1/messages/threads', { ...base, participantIds: [people[outsider].id] });
      expect(r.status, outsider).toBe(400);
      expect(r.body.error!.message).toMatch(/hör inte till organisationen/);
    }
    // A colleague of another unit of the same organisation, and the officer who sends its assignments, may be named.
    expect((await api(sara.token, 'POST', '/api/v1/messages/threads', { ...base, participantIds: [people.elin.id, people.maria.id] })).status).toBe(200);
    // An officer the organisation does not work with cannot write to its units either.
    expect((await api(people.otherOfficer.token, 'POST', '/api/v1/messages/threads', { ...base, toUnit: true })).status).toBe(404);
  });

  it('the push refuses the same participants (a thread composed offline)', async () => {
    const clientId = await h.client('hemtjanst', 2);
    const create = (participantIds: string[]): Mutation => ({
      mutationId: randomUUID(),
      createdAt: new Date().toISOString(),
      type: 'message_thread.create',
      record: { id: randomUUID(), unitId: h.units.hemtjanst, subject: 'Offline', clientId, assignmentId: null, toUnit: false, participantIds },
    });
    for (const outsider of ['foreign', 'elin', 'otherOfficer'] as const) {
      const [result] = (await sara.push(create([people[outsider].id]))).results;
      expect(result, outsider).toMatchObject({ status: 'refused', error: { code: 'VALIDATION', message: expect.stringMatching(/får inte se brukaren/) } });
    }
    expect((await sara.push(create([anna.staffId]))).results[0]).toMatchObject({ status: 'applied' });
  });

  it('a participant whose permission for the client’s unit ends reads nothing more: not the thread, the list, new messages, the attachment, nor the feed; and cannot write to it', async () => {
    const clientId = await h.client('daglig');
    const started = await api(sara.token, 'POST', '/api/v1/messages/threads', { unitId: h.units.daglig, subject: 'Om brukaren', clientId, toUnit: false, participantIds: [people.leaving.id], text: 'Första.' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const threadId = ThreadDetail.parse(started.body).thread.id;
    const lova = people.leaving;
    expect((await api(lova.token, 'GET', `/api/v1/messages/threads/${threadId}`)).status).toBe(200);

    // Her permission ends (yesterday was her last day); a PDF and a message are added after.
    await db.query(`UPDATE permissions SET valid_to = (now() AT TIME ZONE 'Europe/Stockholm')::date - 1 WHERE staff_id = $1`, [lova.id]);
    const attached = await api(sara.token, 'POST', `/api/v1/messages/threads/${threadId}/attachments`, { text: 'Journalutdrag bifogat.', kind: 'journal', fileName: 'journal-utdrag.pdf', content: PDF });
    expect(attached.status, JSON.stringify(attached.body)).toBe(200);
    const detail = ThreadDetail.parse(attached.body);
    const attachmentId = detail.messages.at(-1)!.attachment!.id;

    expect((await api(lova.token, 'GET', `/api/v1/messages/threads/${threadId}`)).status).toBe(404);
    expect((await api(lova.token, 'GET', `/api/v1/messages/attachments/${attachmentId}`)).status).toBe(404);
    const list = ThreadListResponse.parse((await api(lova.token, 'GET', '/api/v1/messages/threads')).body);
    expect(list.threads.map((t) => t.id)).not.toContain(threadId);
    expect((await api(lova.token, 'POST', `/api/v1/messages/threads/${threadId}/messages`, { text: 'Jag svarar ändå.' })).status).toBe(404);
    expect((await api(lova.token, 'POST', `/api/v1/messages/threads/${threadId}/read`, {})).status).toBe(404);
    const pull = await h.app.inject({ method: 'POST', url: '/api/v1/sync/pull', headers: { authorization: `Bearer ${lova.token}`, [API_VERSION_HEADER]: String(API_VERSION) }, payload: { cursors: {} } });
    // Without any permission today the session is refused outright, or answered with no units.
    if (pull.statusCode === 200) expect(pull.body).not.toContain(threadId);
    else expect(pull.statusCode).toBe(403);
    // A colleague still holding the unit reads it, attachment and all.
    expect((await api(sara.token, 'GET', `/api/v1/messages/attachments/${attachmentId}`)).status).toBe(200);
  });

  it('a person named in a thread (before this check) reads it only while she may see the client', async () => {
    // A thread written straight into the table, as the server accepted it before: naming a person of another organisation.
    const clientId = await h.client('hemtjanst', 3);
    const id = randomUUID();
    await db.query(
      `INSERT INTO message_threads (id, unit_id, subject, client_id, assignment_id, to_unit, participant_ids, participants, author_staff_id, author_hsa_id, author_name, author_title)
       VALUES ($1, $2, 'Gammalt', $3, NULL, false, $4::uuid[], '[]', $5, 'SE2321000131-P000000000103', 'Sara Nyström', 'Undersköterska')`,
      [id, h.units.hemtjanst, clientId, [sara.staffId, people.foreign.id], sara.staffId],
    );
    expect((await api(people.foreign.token, 'GET', `/api/v1/messages/threads/${id}`)).status).toBe(404);
    expect(ThreadListResponse.parse((await api(people.foreign.token, 'GET', '/api/v1/messages/threads')).body).threads).toEqual([]);
    expect((await api(sara.token, 'GET', `/api/v1/messages/threads/${id}`)).status).toBe(200);
  });
});
