/**
 * Assignments through the running server (docs/assignments.md): the case officer sends, the
 * provider confirms, distributes, executes, pauses and resumes, confirms a cancellation; scope
 * (unit A cannot read or act on unit B's assignment); history and access log; the officer command
 * (tools/officer.ts) against a listening server. One suite, run on embedded PGlite
 * (test/unit/assignments/routes.test.ts) and on PostgreSQL (test/integration/assignments/assignments.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Assignment,
  AssignmentListResponse,
  OfficerLoginResponse,
  type AssignmentStatus,
  type OfficerAction,
  type ProviderAction,
  type SendAssignment,
} from '#contract';
import { ChallengeResponse, LoginResponse } from '#contract';
import { swedishDate } from '#contract';
import { ServerErrorBody } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { createServer } from '../../../server/app';
import { verifyChain } from '../../../server/audit/access-log';
import type { Db } from '../../../server/db/types';
import { seedDemoData } from '../../../server/demo';
import { runOfficer } from '../../../tools/officer';
import { generateTestPki, issuePersonCard } from '../../../tools/pki/index';
import { ORIGIN, authOptions, loginToken } from '../server/auth-suite';

export interface SuiteDb {
  db: Db;
  close(): Promise<void>;
}

const PEOPLE = {
  /** Hemtjänst Majorna only. */
  anna: { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' },
  /** Both units. */
  sara: { hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' },
  /** Daglig verksamhet Hisingen only. */
  elin: { hsaId: 'SE2321000131-P000000000104', givenName: 'Elin', familyName: 'Johansson' },
  /** The case officer. */
  maria: { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' },
} as const;
type Who = keyof typeof PEOPLE;

const day = (offset: number) => swedishDate(new Date(), offset);

interface Caller {
  token: string;
  staffId: string;
  get(url: string): Promise<{ status: number; body: unknown }>;
  post(url: string, payload: unknown): Promise<{ status: number; body: unknown }>;
}

export function assignmentSuite(label: string, open: () => Promise<SuiteDb>): void {
  describe(`assignments on ${label}`, { timeout: 60_000 }, () => {
    let handle: SuiteDb;
    let db: Db;
    let app: FastifyInstance;
    let base: string;
    let cardDir: string;
    const cards = {} as Record<Who, CardFile>;
    const units = { hemtjanst: '', daglig: '' };
    const callers = new Map<Who, Caller>();

    beforeAll(async () => {
      handle = await open();
      db = handle.db;
      const pki = await generateTestPki();
      for (const [key, person] of Object.entries(PEOPLE) as [Who, (typeof PEOPLE)[Who]][]) {
        cards[key] = await issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false });
      }
      cardDir = mkdtempSync(path.join(tmpdir(), 'officer-cards-'));
      writeFileSync(path.join(cardDir, 'maria-ek.json'), JSON.stringify(cards.maria));
      writeFileSync(path.join(cardDir, 'anna-lindqvist.json'), JSON.stringify(cards.anna));
      const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM units');
      units.hemtjanst = rows.find((u) => u.name === 'Hemtjänst Majorna')!.id;
      units.daglig = rows.find((u) => u.name === 'Daglig verksamhet Hisingen')!.id;
      app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
      await app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await handle?.close();
      if (cardDir) rmSync(cardDir, { recursive: true, force: true });
    });

    const challenge = async () => ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
    const caller = (token: string, staffId: string): Caller => {
      const headers = { authorization: `Bearer ${token}`, 'x-workstation': 'WS-UPPDRAG' };
      return {
        token,
        staffId,
        async get(url) {
          const r = await app.inject({ method: 'GET', url, headers });
          return { status: r.statusCode, body: r.json() };
        },
        async post(url, payload) {
          const r = await app.inject({ method: 'POST', url, headers, payload: payload as object });
          return { status: r.statusCode, body: r.json() };
        },
      };
    };
    const login = async (who: Who): Promise<Caller> => {
      const cached = callers.get(who);
      if (cached) return cached;
      const officer = who === 'maria';
      const res = await app.inject({
        method: 'POST',
        url: officer ? '/api/v1/officer/auth/login' : '/api/v1/auth/login',
        payload: await loginToken(cards[who], await challenge(), ORIGIN, 'WS-UPPDRAG'),
      });
      expect(res.statusCode, res.body).toBe(200);
      const { token, user } = officer ? OfficerLoginResponse.parse(res.json()) : LoginResponse.parse(res.json());
      const c = caller(token, user.id);
      callers.set(who, c);
      return c;
    };

    const send = async (overrides: Partial<SendAssignment> & { personnummer?: string } = {}): Promise<Assignment> => {
      const maria = await login('maria');
      const { personnummer = '19380502-8432', ...rest } = overrides;
      const r = await maria.post('/api/v1/officer/assignments', {
        client: { personnummer },
        decision: { reference: `BIS-${randomUUID().slice(0, 8)}`, date: day(-5) },
        services: [{ name: 'Hemtjänst – personlig omvårdnad', grantedHours: 20, per: 'month' }],
        startDate: day(-3),
        freeText: 'Hjälp med morgonrutiner.',
        ...rest,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return Assignment.parse(r.body);
    };
    const act = async (who: Who, id: string, action: ProviderAction | OfficerAction) => {
      const c = await login(who);
      const url = who === 'maria' ? `/api/v1/officer/assignments/${id}/actions` : `/api/v1/assignments/${id}/actions`;
      return c.post(url, action);
    };
    const ok = async (who: Who, id: string, action: ProviderAction | OfficerAction): Promise<Assignment> => {
      const r = await act(who, id, action);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return Assignment.parse(r.body);
    };
    const refused = async (who: Who, id: string, action: ProviderAction | OfficerAction) => {
      const r = await act(who, id, action);
      return { status: r.status, ...ServerErrorBody.parse(r.body).error };
    };
    const list = async (who: Who, query = '') => {
      const c = await login(who);
      const r = await c.get(`${who === 'maria' ? '/api/v1/officer/assignments' : '/api/v1/assignments'}${query ? `?${query}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return AssignmentListResponse.parse(r.body);
    };
    const logRows = async (recordId: string) =>
      (
        await db.query<{ action: string; actor_staff_id: string; client_id: string | null; record_type: string; workstation: string | null }>(
          `SELECT action, actor_staff_id::text AS actor_staff_id, client_id::text AS client_id, record_type, workstation
             FROM access_log WHERE record_id = $1 ORDER BY id`,
          [recordId],
        )
      ).rows;

    it('the case officer sends → staff of the unit list it → confirm → distribute → execute with a date → the officer sees the date', async () => {
      const sent = await send();
      expect(sent).toMatchObject({ status: 'new', needsAction: true, unitId: units.hemtjanst, unitName: 'Hemtjänst Majorna', executionDate: null, version: 1 });
      expect(sent.client).toMatchObject({ personnummer: '193805028432', givenName: 'Gösta' });

      const inbox = await list('anna', 'status=new');
      expect(inbox.items.map((a) => a.id)).toContain(sent.id);
      expect(inbox.items.every((a) => a.status === 'new')).toBe(true);
      expect(inbox.counts.new).toBe(inbox.items.length);

      const anna = await login('anna');
      const opened = await anna.get(`/api/v1/assignments/${sent.id}`);
      expect(opened.status).toBe(200);
      expect(Assignment.parse(opened.body).history.map((e) => e.action)).toEqual(['send']);

      const confirmed = await ok('anna', sent.id, { type: 'confirm' });
      expect(confirmed.status).toBe('confirmed');
      expect(confirmed.confirmedAt).not.toBeNull();
      const { rows: mohammed } = await db.query<{ id: string }>("SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000102'");
      const distributed = await ok('anna', sent.id, { type: 'distribute', unitId: units.hemtjanst, staffIds: [anna.staffId, mohammed[0]!.id] });
      expect(distributed.distributedTo).toMatchObject({ unitId: units.hemtjanst, staffIds: [anna.staffId, mohammed[0]!.id] });
      const executed = await ok('anna', sent.id, { type: 'execute', executionDate: day(-1) });
      expect(executed).toMatchObject({ status: 'executed', executionDate: day(-1), needsAction: false, version: 4 });

      const maria = await login('maria');
      const seen = Assignment.parse((await maria.get(`/api/v1/officer/assignments/${sent.id}`)).body);
      expect(seen).toMatchObject({ status: 'executed', executionDate: day(-1), confirmedAt: confirmed.confirmedAt });
      const officerList = await list('maria', 'status=executed&sort=updated_desc&limit=5');
      expect(officerList.items[0]).toMatchObject({ id: sent.id, executionDate: day(-1) });

      // History: every action, with who did it.
      expect(seen.history.map((e) => [e.action, e.actor.hsaId, e.actor.role])).toEqual([
        ['send', PEOPLE.maria.hsaId, 'case_officer'],
        ['confirm', PEOPLE.anna.hsaId, 'staff'],
        ['distribute', PEOPLE.anna.hsaId, 'staff'],
        ['execute', PEOPLE.anna.hsaId, 'staff'],
      ]);
      expect(seen.history[3]!.details).toEqual({ executionDate: day(-1), previousExecutionDate: null });
      expect(seen.history[0]!.actor.name).toBe('Maria Ek');

      // Access log: the send and each action a change, opening a read; with the client and the record.
      const log = await logRows(sent.id);
      expect(log.map((r) => [r.action, r.actor_staff_id])).toEqual([
        ['change', maria.staffId],
        ['read', anna.staffId],
        ['change', anna.staffId],
        ['change', anna.staffId],
        ['change', anna.staffId],
        ['read', maria.staffId],
      ]);
      expect(log.every((r) => r.client_id === sent.clientId && r.record_type === 'assignment' && r.workstation === 'WS-UPPDRAG')).toBe(true);
      expect((await verifyChain(db)).ok).toBe(true);
    });

    it('the execution date can be corrected; every value stays in the history', async () => {
      const a = await send({ personnummer: '19400107-9120' });
      await ok('anna', a.id, { type: 'confirm' });
      await ok('anna', a.id, { type: 'execute', executionDate: day(0) });
      const corrected = await ok('anna', a.id, { type: 'execute', executionDate: day(-2) });
      expect(corrected.executionDate).toBe(day(-2));
      expect(corrected.history.filter((e) => e.action === 'execute').map((e) => e.details)).toEqual([
        { executionDate: day(0), previousExecutionDate: null },
        { executionDate: day(-2), previousExecutionDate: day(0) },
      ]);
    });

    it('forbidden transitions are refused with a Swedish message and change nothing', async () => {
      const a = await send({ personnummer: '19420119-9124' });
      expect(await refused('anna', a.id, { type: 'execute', executionDate: day(0) })).toEqual({
        status: 409,
        code: 'CONFLICT',
        message: 'Uppdraget måste kvitteras innan det kan verkställas.',
      });
      await ok('anna', a.id, { type: 'confirm' });
      expect(await refused('anna', a.id, { type: 'execute', executionDate: day(-4) })).toEqual({
        status: 400,
        code: 'VALIDATION',
        message: `Verkställighetsdatumet kan inte vara före beslutets startdatum (${day(-3)}).`,
      });
      expect((await refused('anna', a.id, { type: 'execute', executionDate: day(1) })).message).toBe('Verkställighetsdatumet kan inte vara senare än i dag.');
      expect((await refused('anna', a.id, { type: 'confirm' })).message).toBe('Uppdraget är redan kvitterat.');
      expect((await refused('anna', a.id, { type: 'pause', from: day(0), reason: 'Sjukhusvistelse' })).message).toBe('Bara ett verkställt uppdrag kan pausas.');
      // A malformed action never reaches the state machine.
      expect((await refused('anna', a.id, { type: 'execute' } as unknown as ProviderAction)).code).toBe('VALIDATION');
      const after = Assignment.parse((await (await login('anna')).get(`/api/v1/assignments/${a.id}`)).body);
      expect(after).toMatchObject({ status: 'confirmed', executionDate: null, version: 2 });
      expect(after.history.map((e) => e.action)).toEqual(['send', 'confirm']);
    });

    it('pause (sjukhusvistelse) and resume; presence on a short-term stay; the officer sees the pauses', async () => {
      const a = await send({ personnummer: '19440813-9089', startDate: day(-20), serviceKind: 'korttidsvistelse' });
      await ok('anna', a.id, { type: 'confirm' });
      await ok('anna', a.id, { type: 'execute', executionDate: day(-15) });
      const paused = await ok('anna', a.id, { type: 'pause', from: day(-6), reason: 'Sjukhusvistelse' });
      expect(paused).toMatchObject({ status: 'paused', pauses: [{ from: day(-6), to: null, reason: 'Sjukhusvistelse' }] });
      expect((await refused('anna', a.id, { type: 'pause', from: day(-5), reason: 'x' })).message).toBe('Uppdraget är redan pausat.');
      const resumed = await ok('anna', a.id, { type: 'resume', to: day(-1) });
      expect(resumed).toMatchObject({ status: 'executed', pauses: [{ from: day(-6), to: day(-1), reason: 'Sjukhusvistelse' }] });
      expect((await refused('anna', a.id, { type: 'resume', to: day(0) })).message).toBe('Bara ett pausat uppdrag kan återupptas.');
      const present = await ok('anna', a.id, { type: 'register_presence', from: day(-12), to: day(-10) });
      expect(present.registrations).toEqual([{ kind: 'presence', from: day(-12), to: day(-10) }]);
      const seen = Assignment.parse((await (await login('maria')).get(`/api/v1/officer/assignments/${a.id}`)).body);
      expect(seen.pauses).toEqual(resumed.pauses);
      expect(seen.history.map((e) => e.action)).toEqual(['send', 'confirm', 'execute', 'pause', 'resume', 'register_presence']);
    });

    it('a cancellation (avbeställning) is shown as needing action until the provider confirms it', async () => {
      const a = await send({ personnummer: '19531224-2083' });
      await ok('anna', a.id, { type: 'confirm' });
      const cancelled = await ok('maria', a.id, { type: 'cancel', reason: 'Brukaren har flyttat till särskilt boende.' });
      expect(cancelled).toMatchObject({ status: 'cancellation_requested', needsAction: true });
      expect(cancelled.cancellation).toMatchObject({ reason: 'Brukaren har flyttat till särskilt boende.', confirmedAt: null });
      expect((await refused('anna', a.id, { type: 'execute', executionDate: day(0) })).message).toBe('Uppdraget är avbeställt av handläggaren. Bekräfta avbeställningen.');
      const inbox = await list('anna', 'status=cancellation_requested');
      expect(inbox.items.map((x) => x.id)).toContain(a.id);
      const confirmed = await ok('anna', a.id, { type: 'confirm_cancellation' });
      expect(confirmed).toMatchObject({ status: 'cancelled', needsAction: false });
      expect(confirmed.cancellation?.confirmedAt).toBeTruthy();
      expect((await refused('anna', a.id, { type: 'confirm_cancellation' })).message).toBe('Uppdraget är avbeställt och kan inte längre ändras.');
      const seen = Assignment.parse((await (await login('maria')).get(`/api/v1/officer/assignments/${a.id}`)).body);
      expect(seen.cancellation?.confirmedAt).toBe(confirmed.cancellation?.confirmedAt);
      expect(seen.history.map((e) => `${e.action}:${e.actor.hsaId}`)).toEqual([
        `send:${PEOPLE.maria.hsaId}`,
        `confirm:${PEOPLE.anna.hsaId}`,
        `cancel:${PEOPLE.maria.hsaId}`,
        `confirm_cancellation:${PEOPLE.anna.hsaId}`,
      ]);
    });

    it('the officer changes and ends an assignment; the provider ends one', async () => {
      const a = await send({ personnummer: '19571230-2842' });
      const changed = await ok('maria', a.id, { type: 'change', services: [{ name: 'Hemtjänst – personlig omvårdnad', grantedHours: 30, per: 'month' }] });
      expect(changed.services[0]!.grantedHours).toBe(30);
      expect(changed.history.at(-1)!.details).toMatchObject({ previous: { services: [{ grantedHours: 20 }] } });
      expect((await refused('maria', a.id, { type: 'end', endDate: day(0) })).message).toBe('Ett uppdrag som inte har verkställts avbeställs i stället för att avslutas.');
      await ok('anna', a.id, { type: 'confirm' });
      await ok('anna', a.id, { type: 'execute', executionDate: day(-2) });
      const ended = await ok('maria', a.id, { type: 'end', endDate: day(0), reason: 'Beslutet upphör.' });
      expect(ended).toMatchObject({ status: 'ended', endDate: day(0) });
      expect((await refused('anna', a.id, { type: 'report', message: 'Hej' })).message).toBe('Uppdraget är avslutat och kan inte längre ändras.');

      const b = await send({ personnummer: '19610729-3059' });
      await ok('anna', b.id, { type: 'confirm' });
      await ok('anna', b.id, { type: 'execute', executionDate: day(-1) });
      const endedByProvider = await ok('anna', b.id, { type: 'end', endDate: day(0), reason: 'Brukaren har flyttat.' });
      expect(endedByProvider).toMatchObject({ status: 'ended', endDate: day(0) });
      expect(endedByProvider.history.at(-1)!.details).toEqual({ endDate: day(0), previousEndDate: null, reason: 'Brukaren har flyttat.' });
    });

    // --- Guard rails (issue 20, point 3): each rule refused by the server in Swedish, never a 500 ---

    it('guard: a distribution only to a unit that provides the assignment’s kind of service; the targets list says which', async () => {
      const a = await send({ personnummer: '19610819-3175' }); // home care, Hemtjänst Majorna
      await ok('sara', a.id, { type: 'confirm' });
      expect(await refused('sara', a.id, { type: 'distribute', unitId: units.daglig, staffIds: [] })).toEqual({
        status: 400,
        code: 'VALIDATION',
        message: 'Daglig verksamhet Hisingen utför inte hemtjänst. Fördela uppdraget till en enhet som gör det.',
      });
      const sara = await login('sara');
      const targets = await sara.get(`/api/v1/assignments/${a.id}/targets`);
      expect(targets).toEqual({ status: 200, body: { units: [{ unitId: units.hemtjanst, name: 'Hemtjänst Majorna' }] } });
      // Out of scope or missing: the same 404 as reading it.
      const elin = await login('elin');
      const hidden = await elin.get(`/api/v1/assignments/${a.id}/targets`);
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual((await elin.get(`/api/v1/assignments/${randomUUID()}/targets`)).body);
      expect((await elin.get('/api/v1/assignments/not-a-uuid/targets')).status).toBe(404);
      // A daily-activity assignment may go to the daily-activity unit only.
      const b = await send({ personnummer: '19900602-2397' });
      expect(b.serviceKind).toBe('daglig_verksamhet');
      expect((await sara.get(`/api/v1/assignments/${b.id}/targets`)).body).toEqual({ units: [{ unitId: units.daglig, name: 'Daglig verksamhet Hisingen' }] });
      const after = Assignment.parse((await sara.get(`/api/v1/assignments/${a.id}`)).body);
      expect(after).toMatchObject({ unitId: units.hemtjanst, distributedTo: null, version: 2 });
    });

    it('guard: who it was distributed to is part of the assignment, with the unit’s and the people’s names', async () => {
      const a = await send({ personnummer: '19610828-3166' });
      await ok('anna', a.id, { type: 'confirm' });
      const anna = await login('anna');
      const distributed = await ok('anna', a.id, { type: 'distribute', unitId: units.hemtjanst, staffIds: [anna.staffId] });
      expect(distributed.distributedTo).toEqual({
        unitId: units.hemtjanst,
        staffIds: [anna.staffId],
        unitName: 'Hemtjänst Majorna',
        staff: [{ staffId: anna.staffId, name: 'Anna Lindqvist', title: 'Undersköterska' }],
      });
      const seen = Assignment.parse((await (await login('maria')).get(`/api/v1/officer/assignments/${a.id}`)).body);
      expect(seen.distributedTo).toEqual(distributed.distributedTo);
      const listed = await list('maria', `client=19610828-3166&limit=500`);
      expect(listed.items.find((x) => x.id === a.id)?.distributedTo?.staff).toEqual(distributed.distributedTo!.staff);
    });

    it('guard: absence only for special housing, presence only for short-term stays, neither for home care', async () => {
      const homeCare = await send({ personnummer: '19300807-7723', startDate: day(-10) });
      await ok('anna', homeCare.id, { type: 'confirm' });
      await ok('anna', homeCare.id, { type: 'execute', executionDate: day(-8) });
      expect(await refused('anna', homeCare.id, { type: 'register_absence', from: day(-5), to: day(-4) })).toEqual({
        status: 409,
        code: 'CONFLICT',
        message: 'Frånvaro registreras bara för särskilt boende. Uppdraget gäller hemtjänst.',
      });
      expect((await refused('anna', homeCare.id, { type: 'register_presence', from: day(-5), to: day(-4) })).message).toBe(
        'Närvaro registreras bara för korttidsvistelse. Uppdraget gäller hemtjänst.',
      );
      // A unit that does not provide special housing cannot be sent it.
      const maria = await login('maria');
      const body = {
        client: { personnummer: '19300807-7723' },
        decision: { reference: 'BIS-SÄBO', date: day(-5) },
        services: [{ name: 'Särskilt boende', grantedHours: 168, per: 'week' }],
        serviceKind: 'sarskilt_boende',
        startDate: day(-10),
      };
      const notProvided = await maria.post('/api/v1/officer/assignments', body);
      expect(notProvided).toEqual({
        status: 400,
        body: { error: { code: 'VALIDATION', message: 'Enheten Hemtjänst Majorna utför inte särskilt boende. Välj en enhet som gör det.' } },
      });
      await db.query("UPDATE units SET service_kinds = ARRAY['hemtjanst', 'korttidsvistelse', 'sarskilt_boende'] WHERE id = $1", [units.hemtjanst]);
      try {
        const housing = await send({ ...body, personnummer: '19300807-7723' } as Partial<SendAssignment>);
        await ok('anna', housing.id, { type: 'confirm' });
        await ok('anna', housing.id, { type: 'execute', executionDate: day(-8) });
        const absent = await ok('anna', housing.id, { type: 'register_absence', from: day(-5), to: day(-4) });
        expect(absent.registrations).toEqual([{ kind: 'absence', from: day(-5), to: day(-4) }]);
        expect((await refused('anna', housing.id, { type: 'register_presence', from: day(-5), to: day(-4) })).message).toBe(
          'Närvaro registreras bara för korttidsvistelse. Uppdraget gäller särskilt boende.',
        );
      } finally {
        await db.query("UPDATE units SET service_kinds = ARRAY['hemtjanst', 'korttidsvistelse'] WHERE id = $1", [units.hemtjanst]);
      }
      const after = Assignment.parse((await (await login('anna')).get(`/api/v1/assignments/${homeCare.id}`)).body);
      expect(after.registrations).toEqual([]);
    });

    it('guard: Avsluta needs a reason and a date not in the future; the officer’s end in the future is refused, not applied at once', async () => {
      const a = await send({ personnummer: '19121212-1212', startDate: day(-10) });
      await ok('anna', a.id, { type: 'confirm' });
      await ok('anna', a.id, { type: 'execute', executionDate: day(-9) });
      const noReason = await refused('anna', a.id, { type: 'end', endDate: day(0) } as unknown as ProviderAction);
      expect(noReason).toMatchObject({ status: 400, code: 'VALIDATION' });
      expect(await refused('anna', a.id, { type: 'end', endDate: day(0), reason: '   ' })).toMatchObject({ status: 400, code: 'VALIDATION' });
      expect(await refused('anna', a.id, { type: 'end', endDate: day(3), reason: 'Flyttar.' })).toEqual({
        status: 400,
        code: 'VALIDATION',
        message: 'Ett uppdrag kan inte avslutas i förväg: slutdatumet kan inte vara senare än i dag. Avsluta uppdraget den dagen det upphör.',
      });
      const officerEnd = await refused('maria', a.id, { type: 'end', endDate: day(30), reason: 'Beslutet upphör.' });
      expect(officerEnd).toMatchObject({ status: 400, code: 'VALIDATION' });
      expect(officerEnd.message).toMatch(/^Ett uppdrag kan inte avslutas i förväg/);
      // The officer sets the later end date with a change; the assignment stays executed.
      const changed = await ok('maria', a.id, { type: 'change', endDate: day(30) });
      expect(changed).toMatchObject({ status: 'executed', endDate: day(30) });
      expect(changed.history.map((e) => e.action)).toEqual(['send', 'confirm', 'execute', 'change']);
    });

    it('guard: the execution date is not before the decision’s start date (nor in the future)', async () => {
      const a = await send({ personnummer: '19420119-9124', startDate: day(-2) });
      await ok('anna', a.id, { type: 'confirm' });
      expect(await refused('anna', a.id, { type: 'execute', executionDate: day(-3) })).toEqual({
        status: 400,
        code: 'VALIDATION',
        message: `Verkställighetsdatumet kan inte vara före beslutets startdatum (${day(-2)}).`,
      });
      const future = await send({ personnummer: '19420119-9124', startDate: day(4) });
      await ok('anna', future.id, { type: 'confirm' });
      expect((await refused('anna', future.id, { type: 'execute', executionDate: day(0) })).message).toBe(
        `Verkställighetsdatumet kan inte vara före beslutets startdatum (${day(4)}).`,
      );
      expect((await refused('anna', future.id, { type: 'execute', executionDate: day(4) })).message).toBe('Verkställighetsdatumet kan inte vara senare än i dag.');
    });

    it('a change by the officer needs action until the provider confirms seeing it; the officer sees that in the history', async () => {
      const a = await send({ personnummer: '19571230-2842' });
      await ok('anna', a.id, { type: 'confirm' });
      expect(await ok('anna', a.id, { type: 'report', message: 'Startar på måndag.' })).toMatchObject({ needsAction: false, changePending: false });
      const changed = await ok('maria', a.id, { type: 'change', endDate: day(30) });
      expect(changed).toMatchObject({ status: 'confirmed', changePending: true, needsAction: true });
      // The provider's list and detail say so too.
      expect((await list('anna', 'status=confirmed')).items.find((x) => x.id === a.id)).toMatchObject({ changePending: true, needsAction: true });
      const seen = await ok('anna', a.id, { type: 'confirm_change', requestId: randomUUID() });
      expect(seen).toMatchObject({ changePending: false, needsAction: false });
      expect(seen.history.at(-1)).toMatchObject({ action: 'confirm_change', actor: { hsaId: 'SE2321000131-P000000000101' } });
      expect(await refused('anna', a.id, { type: 'confirm_change' })).toMatchObject({ status: 409, message: 'Det finns ingen ändring från handläggaren att kvittera.' });
      // Changed, then cancelled: confirming the cancellation leaves nothing to handle.
      await ok('maria', a.id, { type: 'change', endDate: day(40) });
      await ok('maria', a.id, { type: 'cancel', reason: 'Flyttat' });
      expect(await ok('anna', a.id, { type: 'confirm_cancellation' })).toMatchObject({ status: 'cancelled', changePending: false, needsAction: false });
      // The database keeps it coherent whatever writes it.
      await expect(db.query('UPDATE assignments SET change_pending = true WHERE id = $1', [a.id])).rejects.toThrow();
    });

    it('a user of unit A can neither read nor act on unit B’s assignment: 404, as if it did not exist', async () => {
      const a = await send({ personnummer: '19610819-3175' }); // Hemtjänst Majorna
      const elin = await login('elin'); // Daglig verksamhet Hisingen only
      const missing = randomUUID();
      const read = await elin.get(`/api/v1/assignments/${a.id}`);
      const readMissing = await elin.get(`/api/v1/assignments/${missing}`);
      expect(read.status).toBe(404);
      expect(read.body).toEqual(readMissing.body);
      for (const action of [{ type: 'confirm' }, { type: 'report', message: 'x' }] as ProviderAction[]) {
        const r = await elin.post(`/api/v1/assignments/${a.id}/actions`, action);
        const rMissing = await elin.post(`/api/v1/assignments/${missing}/actions`, action);
        expect(r.status).toBe(404);
        expect(r.body).toEqual(rMissing.body);
      }
      expect((await elin.get('/api/v1/assignments/not-a-uuid')).status).toBe(404);
      const elinList = await list('elin', 'limit=500');
      expect(elinList.items.every((x) => x.unitId === units.daglig)).toBe(true);
      expect(elinList.items.length).toBeGreaterThan(0);
      expect((await elin.get(`/api/v1/assignments?unitId=${units.hemtjanst}`)).status).toBe(403);
      // Distributing to a unit one has no permission for is refused.
      await ok('anna', a.id, { type: 'confirm' });
      expect((await refused('anna', a.id, { type: 'distribute', unitId: units.daglig, staffIds: [] })).code).toBe('VALIDATION');
      expect((await refused('anna', a.id, { type: 'distribute', unitId: units.hemtjanst, staffIds: [elin.staffId] })).message).toBe(
        'All personal som uppdraget fördelas till måste ha behörighet till enheten.',
      );
      // Nothing was recorded for the refused attempts.
      const seen = Assignment.parse((await (await login('anna')).get(`/api/v1/assignments/${a.id}`)).body);
      expect(seen.history.map((e) => e.action)).toEqual(['send', 'confirm']);
      expect((await logRows(a.id)).filter((r) => r.actor_staff_id === elin.staffId)).toEqual([]);
    });

    it('only case officers reach the officer API, and only through the officer login', async () => {
      const anna = await login('anna');
      const r = await anna.get('/api/v1/officer/assignments');
      expect(r.status).toBe(403);
      expect(ServerErrorBody.parse(r.body).error.code).toBe('FORBIDDEN');
      expect((await anna.post('/api/v1/officer/assignments', {})).status).toBe(403);
      const asOfficer = await app.inject({ method: 'POST', url: '/api/v1/officer/auth/login', payload: await loginToken(cards.anna, await challenge(), ORIGIN) });
      expect(asOfficer.statusCode).toBe(403);
      expect(ServerErrorBody.parse(asOfficer.json()).error.code).toBe('FORBIDDEN');
      // The case officer holds no unit permission: the workstation login stays closed to her.
      const asStaff = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(cards.maria, await challenge(), ORIGIN) });
      expect(ServerErrorBody.parse(asStaff.json()).error.code).toBe('NO_ACTIVE_PERMISSION');
      expect((await list('maria')).items.length).toBeGreaterThan(0);
      expect((await app.inject({ method: 'GET', url: '/api/v1/officer/assignments' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/v1/assignments' })).statusCode).toBe(401);
    });

    it('the officer sends only for a known client, with coherent dates', async () => {
      const maria = await login('maria');
      const body = {
        client: { personnummer: '19121212-1212' },
        decision: { reference: 'BIS-X', date: day(0) },
        services: [{ name: 'Hemtjänst', grantedHours: 5, per: 'week' }],
        startDate: day(2),
      };
      expect((await maria.post('/api/v1/officer/assignments', { ...body, client: { personnummer: '19900101-0017' } })).status).toBe(404);
      expect((await maria.post('/api/v1/officer/assignments', { ...body, client: { personnummer: '19121212-1213' } })).status).toBe(400);
      expect((await maria.post('/api/v1/officer/assignments', { ...body, endDate: day(1) })).status).toBe(400);
      expect((await maria.post('/api/v1/officer/assignments', { ...body, decision: { reference: 'X', date: day(2) } })).status).toBe(400);
      expect((await maria.post('/api/v1/officer/assignments', { ...body, services: [] })).status).toBe(400);
      expect((await maria.post('/api/v1/officer/assignments', body)).status).toBe(201);
    });

    it('the same requestId twice is applied once', async () => {
      const a = await send({ personnummer: '19610828-3166' });
      const requestId = randomUUID();
      const first = await ok('anna', a.id, { type: 'confirm', requestId });
      const again = await ok('anna', a.id, { type: 'confirm', requestId });
      expect(again.version).toBe(first.version);
      expect(again.history.filter((e) => e.action === 'confirm')).toHaveLength(1);
      const b = await send({ personnummer: '19610907-2972' });
      expect((await refused('anna', b.id, { type: 'confirm', requestId })).code).toBe('CONFLICT');
    });

    it('lists: filters by status, unit, start date and client (name or personnummer), sorting, cursor paging and counts', async () => {
      const all = await list('anna', 'limit=500');
      expect(all.items.every((a) => a.unitId === units.hemtjanst)).toBe(true);
      expect(Object.values(all.counts).reduce((s, n) => s + n, 0)).toBe(all.items.length);
      const seeded = (['new', 'confirmed', 'executed', 'paused', 'cancellation_requested', 'cancelled', 'ended'] as AssignmentStatus[]).filter((s) => all.counts[s] > 0);
      expect(seeded.length).toBe(7);

      const twoStatuses = await list('anna', 'status=new,paused&limit=500');
      expect(new Set(twoStatuses.items.map((a) => a.status))).toEqual(new Set(['new', 'paused']));
      expect(twoStatuses.items.length).toBe(all.counts.new + all.counts.paused);
      expect(twoStatuses.counts).toEqual(all.counts);

      const byName = await list('anna', `client=${encodeURIComponent('tolvan')}`);
      expect(byName.items.length).toBeGreaterThan(0);
      expect(byName.items.every((a) => a.client.givenName === 'Tolvan')).toBe(true);
      const byPnr = await list('anna', 'client=19121212-1212');
      expect(byPnr.items.map((a) => a.id).sort()).toEqual(byName.items.map((a) => a.id).sort());
      expect((await list('anna', 'client=100%25_')).items).toEqual([]);

      const window = await list('anna', `from=${day(-30)}&to=${day(0)}&limit=500`);
      expect(window.items.every((a) => a.startDate >= day(-30) && a.startDate <= day(0))).toBe(true);

      for (const sort of ['updated_desc', 'received_desc', 'start_asc', 'start_desc', 'client_asc']) {
        const ids: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: AssignmentListResponse = await list('anna', `sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
          ids.push(...page.items.map((a) => a.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBeGreaterThan(2);
        expect(new Set(ids).size, sort).toBe(ids.length);
        expect(ids.length, sort).toBe(all.items.length);
        const whole = await list('anna', `sort=${sort}&limit=500`);
        expect(ids, sort).toEqual(whole.items.map((a) => a.id));
      }
      const starts = (await list('anna', 'sort=start_asc&limit=500')).items.map((a) => a.startDate);
      expect(starts).toEqual([...starts].sort());
      expect((await (await login('anna')).get('/api/v1/assignments?sort=start_asc&cursor=garbage')).status).toBe(400);
      expect((await (await login('anna')).get('/api/v1/assignments?status=bogus')).status).toBe(400);

      // A list names clients: one read event per list, without a client.
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_log WHERE record_type = 'assignment_list' AND client_id IS NULL");
      expect(rows[0]!.n).toBeGreaterThan(10);
    });

    it('the history is append-only in the database, and assignments are never deleted', async () => {
      await expect(db.query("UPDATE assignment_events SET details = '{}'::jsonb")).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM assignment_events')).rejects.toThrow(/append-only/);
      await expect(db.query('TRUNCATE assignment_events')).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM assignments')).rejects.toThrow(/never deleted/);
    });

    it('the demo seed has a mix of every status with histories, and seeding again adds nothing', async () => {
      const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assignment_events')).rows[0]!.n;
      const before = await count();
      expect(await seedDemoData(db)).toBe(false);
      expect(await count()).toBe(before);
      const { rows } = await db.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM assignments a WHERE EXISTS (SELECT 1 FROM assignment_events e WHERE e.assignment_id = a.id AND e.version > 1)
            OR a.status = 'new' GROUP BY status`,
      );
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['new', 'confirmed', 'executed', 'paused', 'cancellation_requested', 'cancelled', 'ended']));
    });

    it('npm run officer: send and list against the listening server, in Swedish', async () => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, cwd: cardDir };
      const common = ['--server', base, '--origin', ORIGIN, '--card', path.join(cardDir, 'maria-ek.json')];
      const code = await runOfficer(
        ['send', ...common, '--client', '19121212-1212', '--service', 'Hemtjänst, 20 h/mån', '--service', 'Ledsagning, 2,5 h/v', '--start', day(3), '--decision', 'BIS-2026-123', '--text', 'Hjälp med inköp'],
        io,
      );
      expect(code, err.join('\n')).toBe(0);
      expect(err[0]).toBe('Inloggad som Maria Ek (Biståndshandläggare) mot ' + base);
      const text = out.join('\n');
      expect(text).toContain('Uppdraget har skickats till Hemtjänst Majorna.');
      expect(text).toContain('Tolvan Tolvansson, 19121212-1212');
      expect(text).toContain('Hemtjänst, 20 h/mån');
      expect(text).toContain('Ledsagning, 2,5 h/vecka');
      expect(text).toContain('Status:        Ny');
      const id = /Uppdrag ([0-9a-f-]{36})/.exec(text)![1]!;
      const stored = Assignment.parse((await (await login('maria')).get(`/api/v1/officer/assignments/${id}`)).body);
      expect(stored.services).toEqual([
        { name: 'Hemtjänst', grantedHours: 20, per: 'month' },
        { name: 'Ledsagning', grantedHours: 2.5, per: 'week' },
      ]);

      out.length = 0;
      expect(await runOfficer(['list', ...common, '--status', 'new'], io)).toBe(0);
      expect(out[0]).toMatch(/^Uppdrag \(Ny: \d+/);
      expect(out[1]).toMatch(/^Id\s+Status\s+Brukare\s+Personnummer/);
      expect(out.some((l) => l.startsWith(id.slice(0, 8)) && l.includes('Tolvan Tolvansson') && l.includes('Ny'))).toBe(true);

      out.length = 0;
      expect(await runOfficer(['cancel', id.slice(0, 8), ...common, '--reason', 'Brukaren avböjer.'], io)).toBe(0);
      expect(out[0]).toBe('Uppdraget är avbeställt. Utföraren behöver bekräfta avbeställningen.');

      err.length = 0;
      expect(await runOfficer(['end', id, ...common, '--date', day(5)], io)).toBe(1);
      expect(err.at(-1)).toBe('Fel (CONFLICT): Uppdraget är avbeställt och kan inte längre ändras.');
      err.length = 0;
      expect(await runOfficer(['send', ...common, '--client', '19121212-1212', '--service', 'Hemtjänst, 20 h/mån', '--start', '2026-13-45', '--decision', 'X'], io)).toBe(1);
      expect(err.at(-1)).toBe('Fel (VALIDATION): Ogiltiga uppgifter.\n  startDate: Ogiltig(t) ISO-datum');
      err.length = 0;
      expect(await runOfficer(['list', '--server', 'http://127.0.0.1:9', '--card', path.join(cardDir, 'maria-ek.json')], io)).toBe(1);
      expect(err.at(-1)).toBe(
        'Kan inte nå servern http://127.0.0.1:9. Kontrollera att servern är igång (npm start eller npm run server) och att adressen stämmer (--server).',
      );
      err.length = 0;
      expect(await runOfficer(['list', '--server', base, '--origin', ORIGIN, '--card', path.join(cardDir, 'anna-lindqvist.json')], io)).toBe(1);
      expect(err.at(-1)).toBe('Fel (FORBIDDEN): Åtkomst nekad: kortet tillhör ingen biståndshandläggare.');
    });

    it('npm run officer: the kind of service, who it was distributed to, Swedish messages, and no end in the future', async () => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, cwd: cardDir };
      const common = ['--server', base, '--origin', ORIGIN, '--card', path.join(cardDir, 'maria-ek.json')];
      const sendArgs = ['send', ...common, '--client', '19121212-1212', '--service', 'Korttidsvistelse, 48 h/v', '--start', day(-6), '--decision', 'BIS-KT-1'];
      expect(await runOfficer([...sendArgs, '--kind', 'korttidsvistelse'], io), err.join('\n')).toBe(0);
      expect(out).toContain('  Tjänsteform:   Korttidsvistelse');
      expect(out).toContain('  Fördelat till: inte fördelat');
      const id = /Uppdrag ([0-9a-f-]{36})/.exec(out.join('\n'))![1]!;
      expect(await runOfficer([...sendArgs, '--kind', 'tandvård'], io)).toBe(1);
      expect(err.at(-1)).toBe('Okänd tjänsteform "tandvård". Ange en av: hemtjanst, sarskilt_boende, korttidsvistelse, daglig_verksamhet.');
      expect(await runOfficer([...sendArgs, '--kind', 'sarskilt_boende'], io)).toBe(1);
      expect(err.at(-1)).toBe('Fel (VALIDATION): Enheten Hemtjänst Majorna utför inte särskilt boende. Välj en enhet som gör det.');

      const anna = await login('anna');
      await ok('anna', id, { type: 'confirm' });
      await ok('anna', id, { type: 'distribute', unitId: units.hemtjanst, staffIds: [anna.staffId] });
      await ok('anna', id, { type: 'execute', executionDate: day(-5) });
      out.length = 0;
      expect(await runOfficer(['show', id.slice(0, 8), ...common], io)).toBe(0);
      expect(out).toContain('  Fördelat till: Hemtjänst Majorna – Anna Lindqvist (Undersköterska)');
      expect(out.some((l) => /Uppdraget fördelat – Hemtjänst Majorna, 1 namngiven personal {2}\(Anna Lindqvist, Undersköterska\)$/.test(l))).toBe(true);

      // An end date after today ends nothing; the officer is told how to set a later end date.
      err.length = 0;
      expect(await runOfficer(['end', id.slice(0, 8), ...common, '--date', day(10)], io)).toBe(1);
      expect(err.at(-1)).toBe(
        'Fel (VALIDATION): Ett uppdrag kan inte avslutas i förväg: slutdatumet kan inte vara senare än i dag. Ändra uppdragets slutdatum i stället (change med nytt slutdatum) och avsluta det när dagen har kommit.\n' +
          `Sätt slutdatumet med: npm run officer -- change ${id.slice(0, 8)} --end ${day(10)}`,
      );
      expect(Assignment.parse((await (await login('maria')).get(`/api/v1/officer/assignments/${id}`)).body)).toMatchObject({ status: 'executed', endDate: null });
      // Bad input is checked before it is sent, in Swedish (never zod's English "Invalid input").
      expect(await runOfficer(['end', id, ...common, '--date', '31/12/2026'], io)).toBe(1);
      expect(err.at(-1)).toBe('Fel (VALIDATION): Ogiltiga uppgifter.\n  endDate: Ogiltig(t) ISO-datum');
      expect(await runOfficer(['cancel', id, ...common, '--reason', '   '], io)).toBe(1);
      expect(err.at(-1)).toBe('Fel (VALIDATION): Ogiltiga uppgifter.\n  reason: Texten får inte vara tom.');
      expect(await runOfficer(['list', ...common, '--status', 'nya'], io)).toBe(1);
      expect(err.at(-1)).toMatch(/^Fel \(VALIDATION\): Ogiltiga uppgifter\.\n {2}status\.0: Ogiltigt val: /);
      expect(err.join('\n')).not.toMatch(/Invalid|fetch failed/);
      // Ending today works.
      out.length = 0;
      expect(await runOfficer(['end', id, ...common, '--date', day(0), '--reason', 'Beslutet upphör.'], io)).toBe(0);
      expect(out[0]).toBe('Uppdraget är avslutat.');
    });
  });
}
