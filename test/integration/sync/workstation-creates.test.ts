/**
 * One action, one record, from the screen's side (issue 32): EVERY method of the renderer ↔ main
 * contract (methodNames()) is either a create — called here twice with one client-made id, and
 * twice at once with another, through the workstation's own router, online and queued, then
 * synced — or named as no create with the reason. Each id makes exactly one record on the real
 * server's PostgreSQL. A new create in the contract fails the suite until it has a line here.
 * (test/integration/server/creates-once.test.ts does the same for the server's routes and mutations.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiContract, emptyPlanContent, lookupMethod, methodNames, swedishDate, swedishLocalDateTime, type ClientRecord, type LocalPlan, type LocalThreadDetail } from '#contract';
import { createWorkstation } from '../../../main/app';
import { cardAccessOver } from '../../../main/session/card-access';
import type { Workstation } from '../../../main/workstation';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { newYubikeySecret } from '../../../server/auth/password/yubikey-otp';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';

interface Ids {
  unitId: string;
  clientId: string;
  annaId: string;
  /** A thread about the client, on the server. */
  threadId: string;
  planId: string;
  versionId: string;
  logId: string;
  /** A deviation of the unit, received (the user is also the unit's manager here). */
  deviationId: string;
}
/** A create: its input without the id, and the SQL counting its records on the server. */
interface Probe {
  input: (ids: Ids) => Record<string, unknown>;
  count: string;
  /** Where the client-made id goes, when it is the record's own id and not `requestId`. */
  keyed?: (input: Record<string, unknown>, key: string) => Record<string, unknown>;
}
const withKey = (probe: Probe, input: Record<string, unknown>, key: string) => (probe.keyed ? probe.keyed(input, key) : { ...input, requestId: key });

const PLAN_CONTENT = () => ({
  ...emptyPlanContent(),
  areas: [{ lifeArea: 'self_care', needs: '', goals: [{ id: randomUUID(), text: 'Klä sig själv.' }] }],
  activities: [{ id: randomUUID(), lifeArea: 'self_care', what: 'Stöd vid påklädning', who: 'Personal', how: '', when: '', ksiCode: null }],
});
let hsaSeq = 500;

const CREATE_CALLS: Record<string, Probe> = {
  'journal.create': { input: (i) => ({ clientId: i.clientId, eventDate: swedishDate(), text: 'En gång.' }), count: 'SELECT count(*) FROM journal_entries' },
  'journal.correct': {
    // Each id corrects an entry of its own (a correction is of one entry).
    input: () => ({ entryId: FRESH_ENTRY.id, reason: 'Fel brukare.', eventDate: swedishDate(), text: 'Rättad.' }),
    count: 'SELECT count(*) FROM journal_entries WHERE corrects_id IS NOT NULL',
  },
  'daynotes.create': { input: (i) => ({ unitId: i.unitId, clientId: i.clientId, text: 'En gång.' }), count: 'SELECT count(*) FROM day_notes' },
  'plans.saveDraft': { input: (i) => ({ clientId: i.clientId, baseRevision: 0, basedOnVersionId: null, content: PLAN_CONTENT() }), count: 'SELECT count(*) FROM plans' },
  'plans.followUp': { input: (i) => ({ id: i.planId, versionId: i.versionId, date: swedishDate(), outcomes: [], comment: 'Uppföljt.', revise: false }), count: 'SELECT count(*) FROM plan_follow_ups' },
  'plans.consent': { input: (i) => ({ id: i.planId, status: 'given', date: swedishDate(), how: 'written', givenBy: 'client', representative: '', note: '' }), count: 'SELECT count(*) FROM plan_consents' },
  'messages.start': { input: (i) => ({ unitId: i.unitId, subject: 'En gång', clientId: i.clientId, text: 'Hej.' }), count: 'SELECT count(*) FROM message_threads' },
  'messages.reply': { input: (i) => ({ threadId: i.threadId, text: 'Svar.' }), count: 'SELECT count(*) FROM messages' },
  'messages.attach': { input: (i) => ({ threadId: i.threadId, kind: 'journal', text: 'Journalen.' }), count: 'SELECT count(*) FROM message_attachments' },
  'admin.addPerson': { input: () => ({ hsaId: `SE2321000131-P${String(hsaSeq++).padStart(9, '0')}`, givenName: 'Ny', familyName: 'Person', title: 'Vårdbiträde' }), count: 'SELECT count(*) FROM staff' },
  'admin.grant': { input: (i) => ({ staffId: i.annaId, role: 'manager', unitId: i.unitId, validFrom: swedishDate() }), count: 'SELECT count(*) FROM role_grants' },
  'admin.createReview': { input: (i) => ({ kind: 'sample', sampleSize: 1, findings: [{ logId: i.logId, verdict: 'justified', comment: '' }], summary: 'Inget att anmärka.' }), count: 'SELECT count(*) FROM access_log_reviews' },
  'incidents.report': { input: () => ({ what: 'Skärmen stod olåst.', discoveredAt: swedishLocalDateTime(new Date(Date.now() - 3_600_000)) }), count: 'SELECT count(*) FROM security_incidents' },
  'credentials.enrolYubikey': { input: (i) => ({ staffId: i.annaId, verification: 'local', ...newYubikeySecret() }), count: 'SELECT count(*) FROM yubikeys' },
  'support.message': { input: (i) => ({ staffId: i.annaId, subject: 'Support', text: 'Hej.' }), count: 'SELECT count(*) FROM message_threads' },
  // The requestId is the report's own id (the form keeps one per report): queued once by it, applied once.
  'deviations.report': {
    input: (i) => ({
      unitId: i.unitId, clientId: i.clientId, assignmentId: null, occurredAt: new Date(Date.now() - 3_600_000).toISOString(), place: 'Hallen',
      category: 'fall', description: 'En gång.', consequence: '', immediateAction: '', lexSarah: 'unsure',
    }),
    count: 'SELECT count(*) FROM deviations',
  },
  // The manager's step (online): an investigation may be added to, so each id is a new step.
  'deviations.step': {
    input: (i) => ({ deviationId: i.deviationId, step: { kind: 'investigation', facts: 'Prov.', clientView: '', causes: '' } }),
    count: 'SELECT count(*) FROM deviation_steps',
    keyed: (input, key) => ({ ...input, step: { ...(input.step as object), id: key } }),
  },
  // The requestId is the consent's own id (the form keeps one per consent being recorded).
  'consents.record': {
    input: (i) => ({ clientId: i.clientId, topic: 'relatives_information', otherText: null, answer: 'given', form: 'written', givenOn: swedishDate(), note: null }),
    count: 'SELECT count(*) FROM consents',
  },
};

const READ = 'a read: makes nothing';
const NOT_CREATE_CALLS: Record<string, string> = {
  'app.info': READ, 'card.status': READ, 'session.status': READ, 'units.list': READ, 'sync.status': READ, 'store.status': READ,
  'clients.list': READ, 'clients.get': READ, 'journal.list': READ, 'drafts.get': READ, 'daynotes.list': READ, 'daynotes.search': READ,
  'inbox.list': READ, 'inbox.get': READ, 'inbox.stored': READ, 'inbox.staff': READ, 'inbox.targets': READ,
  'plans.list': READ, 'plans.work': READ, 'plans.conflicts': READ, 'plans.due': READ, 'plans.ksi': READ,
  'messages.list': READ, 'messages.get': READ, 'messages.draft': READ, 'messages.recipients': READ, 'messages.unreadCount': READ, 'notices.list': READ,
  'admin.roles': READ, 'admin.people': READ, 'admin.history': READ, 'admin.logSearch': READ, 'admin.logSample': READ, 'admin.reviews': READ, 'admin.review': READ, 'admin.verify': READ,
  'incidents.list': READ, 'incidents.get': READ, 'support.colleagues': READ,
  'card.selectReader': 'a setting of this workstation, replaced',
  'card.insertDemoCard': 'puts a demo card in the built-in demo reader (or takes it out): no record',
  'deviations.mine': READ, 'deviations.list': READ, 'deviations.get': READ, 'deviations.stats': READ, 'deviations.patterns': READ,
  'deviations.ivoPdf': 'an export: a file for the manager, logged',
  'consents.list': READ,
  'consents.withdraw': 'withdraws a consent once: the same withdrawal again answers it as withdrawn, another is refused (docs/consents.md)',
  'credentials.list': READ,
  'credentials.setMethods': 'a setting of the organisation, replaced',
  'credentials.setPassword': 'a person\u2019s username, password and number, replaced (upserted)',
  'credentials.unlock': 'a state change: an open account stays open',
  'credentials.revokeYubikey': 'a state change: a revoked key stays revoked',
  'session.passwordStart': 'the first step of a login: each its own', 'session.passwordVerify': 'a session',
  'session.methods': READ, 'session.loginWithIdp': 'a session through the identity provider: each login is its own',
  'session.login': 'a session', 'session.logout': 'ends the session', 'session.activity': 'resets the idle timer',
  'sync.now': 'pushes what is queued (each mutation once by its id) and pulls', 'sync.dismissRefusal': 'hides a refusal',
  'store.resync': 'moves an unreadable store aside',
  'journal.markErroneous': 'marks an entry once: the same marking again answers it as marked, another is refused (docs/journal.md)',
  'journal.export': 'an export: a file for the user, logged', 'admin.logCsv': 'an export', 'admin.logPdf': 'an export', 'admin.reviewPdf': 'an export', 'plans.export': 'an export',
  'messages.openAttachment': 'a download',
  'drafts.save': 'the draft of one client (and correction), replaced as the user types', 'drafts.delete': 'deletes the draft',
  'messages.saveDraft': 'the draft by its key, replaced as the user types', 'plans.saveWork': 'the working copy of one client, replaced', 'plans.dropWork': 'deletes the working copy',
  'audit.copied': 'the access-log event of a copy the user made: each copy is one',
  'inbox.act': 'an assignment action, applied at most once by its requestId (docs/assignments.md)',
  'plans.set': 'sets one revision: the same revision again is refused as stale',
  'plans.resolve': 'keeps mine or theirs of one refused draft, once',
  'messages.markRead': 'receipts, once per message and person',
  'admin.confirm': 'a state change, once', 'admin.end': 'a state change, once',
  'incidents.municipality': 'a state change, once', 'incidents.close': 'a state change, once',
  'admin.addPersonFromCard':
    'the same server create as admin.addPerson (its requestId goes with it; tested in creates-once.test.ts); not run here: the one reader holds the logged-in user’s card, who exists already',
};

const reader = new DemoInProcessReader('Testläsare');
let stack: Stack;
let ws: Workstation;
let ids: Ids;
const FRESH_ENTRY = { id: '' };

async function call<T>(method: string, input: unknown = {}): Promise<T> {
  const r = await ws.dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}
const count = async (sql: string) => Number((await stack.db.query<{ count: string | number }>(sql)).rows[0]!.count);

beforeAll(async () => {
  stack = await startStack('ws_creates', { card: cardAccessOver(reader) });
  const peter = await stack.issueCard({ hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', pin: '123456' });
  ws = await createWorkstation({
    host: 'browser',
    serverUrl: stack.serverUrl,
    dataDir: mkdtempSync(path.join(tmpdir(), 'ws-creates-')),
    card: cardAccessOver(reader),
    workstationName: 'creates-it',
    sync: { events: false, safetyPullMs: 600_000 },
  });
  await stack.db.query(
    `INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at)
     SELECT s.id, u.organisation_id, u.id, 'manager', '2025-01-01', now() FROM staff s, units u WHERE s.hsa_id = 'SE2321000131-P000000000107' AND u.name = 'Hemtjänst Majorna'`,
  );
  reader.insert(await openCardFile(peter));
  await call('session.login', { pin: '123456' });
  await vi.waitFor(async () => expect((await call<ClientRecord[]>('clients.list', { limit: 500 })).length).toBeGreaterThan(0), { timeout: LIVE_WAIT_MS, interval: 50 });
  const units = await call<{ id: string; name: string }[]>('units.list');
  const unitId = units.find((u) => u.name === 'Hemtjänst Majorna')!.id;
  const clientId = (await call<ClientRecord[]>('clients.list', { unitId, limit: 1 }))[0]!.id;
  const annaId = (await stack.db.query<{ id: string }>(`SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000101'`)).rows[0]!.id;
  // A thread about the client and a set plan, made through the workstation and synced.
  const thread = await call<LocalThreadDetail>('messages.start', { unitId, subject: 'Grund', clientId, text: 'Grund.' });
  const draft = await call<LocalPlan>('plans.saveDraft', { clientId, baseRevision: 0, basedOnVersionId: null, content: PLAN_CONTENT() });
  const set = await call<LocalPlan>('plans.set', { planId: draft.id, revision: draft.revision, setOn: swedishDate() });
  await call('journal.list', { clientId, limit: 10 });
  await call('sync.now');
  const logId = String((await stack.db.query<{ id: string | number }>('SELECT max(id) AS id FROM access_log WHERE client_id = $1', [clientId])).rows[0]!.id);
  // A deviation reported here and received: Peter is also the unit's manager in this world (granted before his login).
  const deviation = await call<{ id: string }>('deviations.report', { ...CREATE_CALLS['deviations.report']!.input({ unitId, clientId } as Ids) });
  await call('sync.now');
  await vi.waitFor(async () => expect(await count(`SELECT count(*) FROM deviations WHERE id = '${deviation.id}'`)).toBe(1), { timeout: LIVE_WAIT_MS, interval: 100 });
  await call('deviations.step', { deviationId: deviation.id, step: { id: randomUUID(), kind: 'received' } });
  ids = { unitId, clientId, annaId, threadId: thread.thread.id, planId: set.id, versionId: set.versions.at(-1)!.id, logId, deviationId: deviation.id };
}, 120_000);
afterAll(async () => {
  await ws?.close();
  await stack?.stop();
});

describe('every method of the contract is listed here', () => {
  it('each is a create with a probe, or named as no create with the reason', () => {
    const names: string[] = methodNames();
    expect(names.filter((n) => !(n in CREATE_CALLS) && !(n in NOT_CREATE_CALLS)), 'a new method: add it to CREATE_CALLS (with a probe) or NOT_CREATE_CALLS (with the reason)').toEqual([]);
    expect([...Object.keys(CREATE_CALLS), ...Object.keys(NOT_CREATE_CALLS)].filter((n) => !names.includes(n))).toEqual([]);
    expect(Object.keys(CREATE_CALLS).filter((n) => n in NOT_CREATE_CALLS)).toEqual([]);
  });

  it('every create (and admin.addPersonFromCard) takes a client-made requestId in the contract', () => {
    expect(apiContract.admin.addPersonFromCard.input.safeParse({ requestId: randomUUID(), reader: 'Läsare', title: 'Vårdbiträde' }).success).toBe(true);
    for (const [name, probe] of Object.entries(CREATE_CALLS)) {
      if (name === 'journal.correct') continue; // its input names an entry made in the test
      const parsed = lookupMethod(name)!.input.safeParse(withKey(probe, probe.input(ids), randomUUID()));
      expect(parsed.success, `${name}: ${parsed.error?.message}`).toBe(true);
    }
  });
});

describe('every create: twice with one id, and twice at once, makes one record on the server', () => {
  for (const [name, probe] of Object.entries(CREATE_CALLS)) {
    it(name, async () => {
      const before = await count(probe.count);
      const fresh = async () => {
        if (name === 'journal.correct') FRESH_ENTRY.id = (await call<{ id: string }>('journal.create', { clientId: ids.clientId, eventDate: swedishDate(), text: 'Att rätta.' })).id;
        return probe.input(ids);
      };

      const input = withKey(probe, await fresh(), randomUUID());
      const first = await ws.dispatch(name, input);
      expect(first.ok, JSON.stringify(first)).toBe(true);
      const again = await ws.dispatch(name, input);
      expect(again).toEqual(first);

      const racing = withKey(probe, await fresh(), randomUUID());
      const both = await Promise.all([ws.dispatch(name, racing), ws.dispatch(name, racing)]);
      expect(both[0].ok, JSON.stringify(both[0])).toBe(true);
      expect(both[1]).toEqual(both[0]);

      await call('sync.now');
      await vi.waitFor(async () => expect(await count(probe.count)).toBe(before + 2), { timeout: LIVE_WAIT_MS, interval: 100 });
      // Nothing more arrives later (a second push of the same records).
      await call('sync.now');
      expect(await count(probe.count)).toBe(before + 2);
    });
  }
});

describe('a state change repeated by the same person (a double click) is one change and no error', () => {
  it('journal.markErroneous: again, and twice at once, answers the entry as marked; nothing is refused later', async () => {
    const entry = () => call<{ id: string }>('journal.create', { clientId: ids.clientId, eventDate: swedishDate(), text: 'Fel brukare.' });
    const [one, two] = [await entry(), await entry()];
    const mark = (id: string) => ws.dispatch('journal.markErroneous', { entryId: id, reason: 'Skrevs på fel brukare.' });
    const first = await mark(one.id);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(await mark(one.id)).toEqual(first);
    const both = await Promise.all([mark(two.id), mark(two.id)]);
    expect(both[0].ok, JSON.stringify(both[0])).toBe(true);
    expect(both[1]).toEqual(both[0]);
    const other = await ws.dispatch('journal.markErroneous', { entryId: one.id, reason: 'Ett annat skäl.' });
    expect(other.ok ? null : other.error.code).toBe('CONFLICT');
    await call('sync.now');
    await vi.waitFor(async () => expect(await count(`SELECT count(*) FROM journal_entries WHERE id IN ('${one.id}', '${two.id}') AND erroneous_at IS NOT NULL`)).toBe(2), { timeout: LIVE_WAIT_MS, interval: 100 });
    expect((await call<{ refusals: unknown[] }>('sync.status')).refusals).toEqual([]);
  });
});
