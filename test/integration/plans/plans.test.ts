/**
 * Implementation plans (issue 15; docs/plans.md) on a real PostgreSQL server and real SQLCipher
 * stores: a set version never changes in the database, for the owner as for the runtime role; a
 * draft pushed from an older revision is refused with CONFLICT and the workstation keeps what the
 * user wrote until they choose; versions are kept with the one they replace; the case officer reads
 * the current set version only with a consent in force, and every read is in the access log; the
 * municipality's figures per unit; plans are never purged by the day-note retention.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, OfficerPlan, PLAN_MESSAGES, PlanRecord, swedishDate, type Change, type Cursors, type LocalPlan, type Mutation, type PlanContent, API_VERSION, API_VERSION_HEADER } from '#contract';
import { openDatabase } from '../../../main/store/connection';
import { SqlStore } from '../../../main/store/sql-store';
import { openPostgres, type Db } from '../../../server/db';
import { grantRuntimeRole } from '../../../server/db/roles';
import { SERVER_KINDS, SERVER_REGISTRY } from '../../../server/kinds';
import { OFFICER_PLAN_MESSAGES } from '../../../server/plans/officer';
import { purgeExpired } from '../../../server/sync/retention';
import { runOfficer } from '../../../tools/officer';
import { generateTestPki, issuePersonCard } from '../../../tools/pki/index';
import { createSeededDatabase, testServerUrl, type TestDatabase } from '../../support/postgres';
import { ORIGIN, loginToken } from '../../unit/server/auth-suite';
import { startSyncHarness, type Session, type SyncHarness } from '../../unit/server/sync-suite';
import { author, tempDir } from '../../unit/store/fixtures';

let database: TestDatabase;
let db: Db;
let h: SyncHarness;
let officer: Record<string, string>;
let sara: Session;
let anna: Session;
/** A hemtjänst client with an executed assignment sent by Maria Ek (the seed's). */
let clientId: string;
let officerCard: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  database = await createSeededDatabase('plans');
  db = await openPostgres({ connectionString: database.url, maxConnections: 10 });
  const pki = await generateTestPki();
  h = await startSyncHarness(db, { pki, listen: true });
  sara = await h.login('sara');
  anna = await h.login('anna');
  const card = await issuePersonCard(pki, { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek', algorithm: 'ec', withSignatureKey: false });
  const { nonce } = ChallengeResponse.parse((await h.app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json());
  const login = await h.app.inject({ method: 'POST', url: '/api/v1/officer/auth/login', payload: await loginToken(card, nonce) });
  expect(login.statusCode, login.body).toBe(200);
  officer = { authorization: `Bearer ${(login.json() as { token: string }).token}` };
  const t = tempDir('plans-officer-');
  cleanups.push(t.cleanup);
  officerCard = path.join(t.dir, 'maria-ek.json');
  writeFileSync(officerCard, JSON.stringify(card));
  const { rows } = await db.query<{ client_id: string }>(
    `SELECT a.client_id FROM assignments a JOIN staff s ON s.id = a.sent_by_staff_id
      WHERE a.unit_id = $1 AND a.status = 'executed' AND s.hsa_id = 'SE2120001355-P000000000201' ORDER BY a.client_id LIMIT 1`,
    [h.units.hemtjanst],
  );
  clientId = rows[0]!.client_id;
}, 120_000);

afterAll(async () => {
  for (const c of cleanups) c();
  await h?.app.close();
  await db?.close();
  await database?.drop();
});

const base = () => ({ mutationId: randomUUID(), createdAt: new Date().toISOString() });
const today = () => swedishDate();

function content(goal = 'Klara morgonrutinen själv', activities = 1): PlanContent {
  return {
    assignmentIds: [],
    clientGoals: 'Bo kvar hemma och klara mig själv på morgonen.',
    areas: [{ lifeArea: 'self_care', needs: 'Stöd vid dusch.', goals: [{ id: randomUUID(), text: goal }] }],
    activities: Array.from({ length: activities }, (_, i) => ({ id: randomUUID(), lifeArea: 'self_care' as const, what: `Stöd vid dusch ${i + 1}`, who: 'Undersköterska', how: 'Brukaren gör själv det hon kan.', when: 'Tis och fre 08.00', ksiCode: 'PMB.AA' })),
    participation: 'Brukaren formulerade målen själv.',
    othersPresent: [{ role: 'relative', name: 'Dotter' }],
    cooperation: 'Kontakt med distriktssköterskan vid sår.',
    followUp: { date: today(), how: 'Samtal med brukaren.' },
  };
}
const saveDraft = (id: string, baseRevision: number, c: PlanContent = content(), client = clientId): Extract<Mutation, { type: 'plan.save_draft' }> => ({
  ...base(),
  type: 'plan.save_draft',
  record: { id, clientId: client, baseRevision, basedOnVersionId: null, content: c },
});
const setPlan = (id: string, revision: number, setOn = today()): Extract<Mutation, { type: 'plan.set' }> => ({ ...base(), type: 'plan.set', record: { id, revision, versionId: randomUUID(), setOn } });
const consent = (id: string, status: 'given' | 'refused' | 'revoked'): Mutation => ({
  ...base(),
  type: 'plan.consent',
  record: { id, consentId: randomUUID(), status, date: today(), how: 'written', givenBy: 'client', representative: '', note: '' },
});

async function planOnServer(id: string): Promise<PlanRecord> {
  const { changes } = await pullAllOf(sara);
  const c = changes.filter((x) => x.type === 'plan' && x.id === id && x.op === 'upsert').at(-1) as Extract<Change, { op: 'upsert'; type: 'plan' }>;
  return PlanRecord.parse(c.record);
}
async function pullAllOf(s: Session, cursors: Cursors = {}): Promise<{ changes: Change[]; cursors: Cursors }> {
  const changes: Change[] = [];
  for (;;) {
    const page = await s.pull(cursors, 1000);
    changes.push(...page.changes);
    cursors = page.cursors;
    if (!page.hasMore) return { changes, cursors };
  }
}

/** A workstation's store: pulls through the server's route as the sync engine does. */
function workstation(s: Session) {
  const t = tempDir('plans-');
  const store = new SqlStore(openDatabase(`${t.dir}/store.db`, Buffer.alloc(32, 9)));
  cleanups.push(() => {
    store.close();
    t.cleanup();
  });
  let cursors: Cursors = {};
  return {
    store,
    async pull() {
      for (;;) {
        const r = await h.app.inject({ method: 'POST', url: '/api/v1/sync/pull', headers: { authorization: `Bearer ${s.token}`, [API_VERSION_HEADER]: String(API_VERSION) }, payload: { cursors } });
        const page = store.readPullPage(r.rawPayload);
        store.applyPulledPage(page.pageId);
        cursors = page.cursors;
        if (!page.hasMore) return;
      }
    },
    /** The outbox to the server; answers acknowledged or refused as the sync engine does. */
    async push() {
      const queued = store.outbox(100);
      if (queued.length === 0) return [];
      const { results } = await s.push(...queued.map((q) => q.mutation));
      for (const r of results) {
        if (r.status === 'applied') store.acknowledge([r.mutationId]);
        else store.refuse(r.mutationId, r.error);
      }
      return results;
    },
  };
}

describe('implementation plans on PostgreSQL', { timeout: 60_000 }, () => {
  it('a set version, a follow-up and a consent never change in the database: UPDATE, DELETE and TRUNCATE are refused, for the owner too', async () => {
    const id = randomUUID();
    const draft = saveDraft(id, 0);
    const goalId = draft.record.content.areas[0]!.goals[0]!.id;
    const set = setPlan(id, 1);
    const followUp: Mutation = { ...base(), type: 'plan.follow_up', record: { id, followUpId: randomUUID(), versionId: set.record.versionId, date: today(), outcomes: [{ goalId, outcome: 'achieved', comment: '' }], comment: 'Bra.', revise: false } };
    const r = await sara.push(draft, set, followUp, consent(id, 'given'));
    expect(r.results.map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied']);

    for (const [table, column] of [['plan_versions', 'content'], ['plan_follow_ups', 'comment'], ['plan_consents', 'note']] as const) {
      const value = column === 'content' ? `'{}'::jsonb` : `'ändrad'`;
      await expect(db.query(`UPDATE ${table} SET ${column} = ${value} WHERE plan_id = $1`, [id]), table).rejects.toThrow(/append-only/);
      await expect(db.query(`DELETE FROM ${table} WHERE plan_id = $1`, [id]), table).rejects.toThrow(/append-only/);
      await expect(db.query(`TRUNCATE ${table} CASCADE`), table).rejects.toThrow(/append-only/);
    }
    await expect(db.query('DELETE FROM plans WHERE id = $1', [id])).rejects.toThrow(/never deleted/);
    const plan = await planOnServer(id);
    expect(plan.versions).toHaveLength(1);
    expect(plan.versions[0]).toMatchObject({ status: 'set', versionNo: 1, setOn: today(), content: draft.record.content, setBy: { hsaId: 'SE2321000131-P000000000103' } });
    expect(plan.draft).toBeNull();
  });

  it('the runtime role may only insert into the evidence tables (server/db/roles.ts)', async () => {
    const role = `omsorg_plans_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} NOLOGIN`);
      await grantRuntimeRole(db, role, SERVER_KINDS);
      const { rows } = await db.query<{ t: string; ins: boolean; upd: boolean; del: boolean }>(
        `SELECT t, has_table_privilege($1, t, 'INSERT') AS ins, has_table_privilege($1, t, 'UPDATE') AS upd, has_table_privilege($1, t, 'DELETE') AS del
           FROM unnest(ARRAY['plans', 'plan_versions', 'plan_follow_ups', 'plan_consents']) AS t ORDER BY t`,
        [role],
      );
      expect(rows).toEqual([
        { t: 'plan_consents', ins: true, upd: false, del: false },
        { t: 'plan_follow_ups', ins: true, upd: false, del: false },
        { t: 'plan_versions', ins: true, upd: false, del: false },
        { t: 'plans', ins: true, upd: true, del: true },
      ]);
    } finally {
      await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}; REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ${role}; REVOKE ALL ON SCHEMA public FROM ${role}`);
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });

  it('a draft pushed from an older revision is refused with CONFLICT; so is setting a draft someone changed meanwhile', async () => {
    const id = randomUUID();
    expect((await sara.push(saveDraft(id, 0))).results[0]!.status).toBe('applied');
    // Both start from revision 1, offline; Anna's arrives first.
    const first = await anna.push(saveDraft(id, 1, content('Annas mål')));
    const second = await sara.push(saveDraft(id, 1, content('Saras mål')));
    expect(first.results[0]!.status).toBe('applied');
    expect(second.results[0]).toMatchObject({ status: 'refused', error: { code: 'CONFLICT', message: PLAN_MESSAGES.staleDraft } });
    expect((await sara.push(setPlan(id, 1))).results[0]).toMatchObject({ status: 'refused', error: { code: 'CONFLICT' } });
    const set = await sara.push(setPlan(id, 2));
    expect(set.results[0]!.status).toBe('applied');
    const plan = await planOnServer(id);
    expect(plan.revision).toBe(3);
    expect(plan.versions[0]!.content.areas[0]!.goals[0]!.text).toBe('Annas mål');
    // A plan without a goal or an activity cannot be set.
    const empty = randomUUID();
    await sara.push(saveDraft(empty, 0, { ...content(), activities: [] }));
    expect((await sara.push(setPlan(empty, 1))).results[0]).toMatchObject({ status: 'refused', error: { code: 'VALIDATION', message: PLAN_MESSAGES.notSettable } });
  });

  it('two workstations editing one draft offline: the second is refused, the store keeps both versions and the user’s choice is pushed', async () => {
    const id = randomUUID();
    await sara.push(saveDraft(id, 0));
    const a = workstation(anna);
    const b = workstation(sara);
    await a.pull();
    await b.pull();
    expect(b.store.read('plan', 'get', id)).toMatchObject({ revision: 1, pending: 0 });

    a.store.enqueue(saveDraft(id, 1, content('A skrev detta')), author);
    b.store.enqueue(saveDraft(id, 1, content('B skrev detta')), author);
    // Offline, each sees their own text, pending.
    expect(b.store.read('plan', 'get', id)).toMatchObject({ revision: 2, pending: 1, draft: { content: { areas: [{ goals: [{ text: 'B skrev detta' }] }] } } });
    expect((await a.push())[0]!.status).toBe('applied');
    const refused = await b.push();
    expect(refused[0]).toMatchObject({ status: 'refused', error: { code: 'CONFLICT' } });
    await b.pull();

    // Theirs: the plan as the server has it. Mine: kept with the refusal, text intact.
    const theirs = b.store.read('plan', 'get', id) as LocalPlan;
    expect(theirs).toMatchObject({ revision: 2, pending: 0, draft: { content: { areas: [{ goals: [{ text: 'A skrev detta' }] }] } } });
    const [conflict] = b.store.read('plan', 'conflicts', clientId) as { mutationId: string; mine: PlanContent }[];
    expect(conflict!.mine.areas[0]!.goals[0]!.text).toBe('B skrev detta');

    // She keeps hers, on top of the plan as it is now (plansService.resolve does the same).
    b.store.enqueue(saveDraft(id, theirs.revision, conflict!.mine), author);
    b.store.dismissRefusal(conflict!.mutationId);
    expect((await b.push())[0]!.status).toBe('applied');
    expect(b.store.read('plan', 'conflicts', clientId)).toEqual([]);
    const plan = await planOnServer(id);
    expect(plan).toMatchObject({ revision: 3, draft: { content: { areas: [{ goals: [{ text: 'B skrev detta' }] }] } } });
  });

  it('a revision is a new version: the earlier one stays, replaced, readable beside it', async () => {
    const id = randomUUID();
    await sara.push(saveDraft(id, 0), setPlan(id, 1, swedishDate(new Date(), -400)));
    const ws = workstation(sara);
    await ws.pull();
    const v1 = (await planOnServer(id)).versions[0]!;
    ws.store.enqueue(saveDraft(id, 2, content('Klara dusch med mindre stöd', 2)), author);
    ws.store.enqueue(setPlan(id, 3), author);
    // Locally at once: two versions, the first replaced today.
    const local = ws.store.read('plan', 'get', id) as LocalPlan;
    expect(local.versions.map((v) => [v.versionNo, v.status, v.replacedOn])).toEqual([[1, 'replaced', today()], [2, 'set', null]]);
    await ws.push();
    const plan = await planOnServer(id);
    expect(plan.versions.map((v) => [v.versionNo, v.status, v.replacedOn])).toEqual([[1, 'replaced', today()], [2, 'set', null]]);
    expect(plan.versions[0]).toEqual({ ...v1, status: 'replaced', replacedOn: today() });
  });

  it('the case officer reads the current set version only with a consent in force; every read and refusal is in the access log', async () => {
    const id = randomUUID();
    await sara.push(saveDraft(id, 0), setPlan(id, 1));
    const get = () => h.app.inject({ method: 'GET', url: `/api/v1/officer/plans/${id}`, headers: officer });
    const logged = async () =>
      (await db.query<{ outcome: string }>(`SELECT outcome FROM access_log WHERE record_type = 'plan' AND record_id = $1 AND action = 'read' ORDER BY id`, [id])).rows.map((r) => r.outcome);

    const without = await get();
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({ error: { code: 'FORBIDDEN', message: OFFICER_PLAN_MESSAGES.consentMissing } });
    expect(without.json().error.message).toMatch(/inte gett samtycke/);

    await sara.push(consent(id, 'given'));
    const withConsent = await get();
    expect(withConsent.statusCode, withConsent.body).toBe(200);
    const read = OfficerPlan.parse(withConsent.json());
    expect(read).toMatchObject({ planId: id, clientId, unitName: 'Hemtjänst Majorna', version: { versionNo: 1, status: 'set' }, consent: { status: 'given' } });

    await sara.push(consent(id, 'revoked'));
    expect((await get()).statusCode).toBe(403);
    expect(await logged()).toEqual(['failure', 'success', 'failure']);

    const list = await h.app.inject({ method: 'GET', url: `/api/v1/officer/clients/${clientId}/plans`, headers: officer });
    expect(list.statusCode, list.body).toBe(200);
    expect((list.json() as { plans: { planId: string; consent: string }[] }).plans.find((p) => p.planId === id)).toMatchObject({ consent: 'revoked', versionNo: 1 });
    // A client without an assignment from her: not found, as an unknown one.
    const { rows } = await db.query<{ id: string }>('SELECT id FROM clients c WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.client_id = c.id) LIMIT 1');
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/officer/clients/${rows[0]!.id}/plans`, headers: officer })).statusCode).toBe(404);
    // Staff are not case officers.
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/officer/plans/${id}`, headers: { authorization: `Bearer ${sara.token}` } })).statusCode).toBe(403);
  });

  it('the consent recorded last decides, whatever date it states; a consent dated in the future is refused in Swedish (issue 25)', async () => {
    const id = randomUUID();
    await sara.push(saveDraft(id, 0), setPlan(id, 1));
    const get = () => h.app.inject({ method: 'GET', url: `/api/v1/officer/plans/${id}`, headers: officer });
    const dated = (status: 'given' | 'revoked', date: string): Mutation => {
      const m = consent(id, status) as Extract<Mutation, { type: 'plan.consent' }>;
      return { ...m, record: { ...m.record, date } };
    };
    const day = (offset: number) => swedishDate(new Date(Date.now() + offset * 86_400_000));

    // "Given (tomorrow)" — the trick that outranked a later revocation — is refused outright.
    const [future] = (await sara.push(dated('given', day(1)))).results;
    expect(future).toMatchObject({ status: 'refused', error: { code: 'VALIDATION', message: PLAN_MESSAGES.consentFutureDate } });
    expect(PLAN_MESSAGES.consentFutureDate).toMatch(/kan inte ligga i framtiden/);

    // Given today, then a revocation recorded after it but dated yesterday (it happened then): revoked.
    expect((await sara.push(dated('given', day(0)))).results[0]).toMatchObject({ status: 'applied' });
    expect((await get()).statusCode).toBe(200);
    expect((await sara.push(dated('revoked', day(-1)))).results[0]).toMatchObject({ status: 'applied' });
    const refused = await get();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { message: OFFICER_PLAN_MESSAGES.consentMissing } });
    const list = await h.app.inject({ method: 'GET', url: `/api/v1/officer/clients/${clientId}/plans`, headers: officer });
    expect((list.json() as { plans: { planId: string; consent: string }[] }).plans.find((p) => p.planId === id)).toMatchObject({ consent: 'revoked' });
    // The record lists them in the order recorded; the workstation reads the same.
    expect((await planOnServer(id)).consents.map((c) => c.status)).toEqual(['given', 'revoked']);
  });

  it('a draft names only assignments of its client in the user’s units, and builds only on a version of its own plan (issue 25)', async () => {
    const one = async (sql: string, params: unknown[]) => (await db.query<{ id: string }>(sql, params)).rows[0]!.id;
    const own = await one('SELECT id FROM assignments WHERE client_id = $1 LIMIT 1', [clientId]);
    const otherUnit = await one('SELECT id FROM assignments WHERE unit_id = $1 LIMIT 1', [h.units.daglig]);
    const otherClient = await one('SELECT id FROM assignments WHERE unit_id = $1 AND client_id <> $2 LIMIT 1', [h.units.hemtjanst, clientId]);
    const draft = (assignmentIds: string[], basedOnVersionId: string | null = null) => {
      const m = saveDraft(randomUUID(), 0);
      return { ...m, record: { ...m.record, basedOnVersionId, content: { ...m.record.content, assignmentIds } } };
    };
    for (const ids of [[otherUnit], [otherClient], [own, randomUUID()]]) {
      expect((await anna.push(draft(ids))).results[0]).toMatchObject({ status: 'refused', error: { code: 'VALIDATION', message: PLAN_MESSAGES.draftAssignment } });
    }
    expect((await anna.push(draft([own], randomUUID()))).results[0]).toMatchObject({ status: 'refused', error: { code: 'VALIDATION', message: PLAN_MESSAGES.draftBaseVersion } });
    // A version of another plan is no base either.
    const other = randomUUID();
    const set = setPlan(other, 1);
    await sara.push(saveDraft(other, 0), set);
    expect((await anna.push(draft([own], set.record.versionId))).results[0]).toMatchObject({ status: 'refused', error: { message: PLAN_MESSAGES.draftBaseVersion } });
    // Its own version and its own client's assignment: saved.
    const revision = saveDraft(other, 2);
    expect((await sara.push({ ...revision, record: { ...revision.record, basedOnVersionId: set.record.versionId, content: { ...revision.record.content, assignmentIds: [own] } } })).results[0]).toMatchObject({ status: 'applied' });
  });

  it('the municipality’s figures per unit: active clients, with a set plan, overdue for revision', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/officer/plan-stats', headers: officer });
    expect(r.statusCode, r.body).toBe(200);
    const { units } = r.json() as { units: { unitName: string; activeClients: number; withSetPlan: number; overdueRevision: number }[] };
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(DISTINCT client_id)::int AS n FROM assignments WHERE unit_id = $1 AND status IN ('executed', 'paused', 'cancellation_requested')`,
      [h.units.hemtjanst],
    );
    const majorna = units.find((u) => u.unitName === 'Hemtjänst Majorna')!;
    expect(majorna.activeClients).toBe(rows[0]!.n);
    expect(majorna.withSetPlan).toBeGreaterThanOrEqual(1); // the client above
    expect(majorna.withSetPlan).toBeLessThanOrEqual(majorna.activeClients);
    expect(majorna.overdueRevision).toBeLessThanOrEqual(majorna.withSetPlan);
  });

  it('npm run officer -- plans|plan|plan-stats: the plans, the refusal naming the missing consent, the figures, in Swedish', async () => {
    const id = randomUUID();
    await sara.push(saveDraft(id, 0), setPlan(id, 1));
    const { rows } = await db.query<{ personnummer: string }>('SELECT personnummer FROM clients WHERE id = $1', [clientId]);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} };
    const common = ['--server', `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`, '--origin', ORIGIN, '--card', officerCard];
    const officerCli = async (...args: string[]) => {
      out.length = 0;
      err.length = 0;
      return runOfficer([...args, ...common], io);
    };

    expect(await officerCli('plans', '--client', rows[0]!.personnummer), err.join('\n')).toBe(0);
    expect(out[0]).toMatch(/^Id\s+Enhet\s+Version\s+Fastställd\s+Samtycke/);
    expect(out.find((l) => l.startsWith(id))).toMatch(/Hemtjänst Majorna\s+1\s+\d{4}-\d\d-\d\d\s+saknas/);

    expect(await officerCli('plan', id)).toBe(1);
    expect(err.at(-1)).toBe(`Fel (FORBIDDEN): ${OFFICER_PLAN_MESSAGES.consentMissing}`);

    await sara.push(consent(id, 'given'));
    expect(await officerCli('plan', id), err.join('\n')).toBe(0);
    expect(out[0]).toMatch(/^Genomförandeplan, Hemtjänst Majorna: version 1, fastställd/);
    expect(out).toContain('Personlig vård');
    expect(out).toContain('  Mål: Klara morgonrutinen själv');
    expect(out.some((l) => l.includes('Stöd vid dusch 1 — Undersköterska') && l.includes('[KSI PMB.AA]'))).toBe(true);

    expect(await officerCli('plan-stats'), err.join('\n')).toBe(0);
    expect(out[1]).toMatch(/^Enhet\s+Aktiva brukare\s+Med fastställd plan\s+Andel\s+Försenad revidering/);
    expect(out.some((l) => /^Hemtjänst Majorna\s+\d+\s+\d+\s+\d+ %\s+\d+/.test(l))).toBe(true);
  });

  it('plans are kept: the day-note retention purges neither the server’s plans nor the workstation’s', async () => {
    const id = randomUUID();
    await sara.push(saveDraft(id, 0), setPlan(id, 1));
    const ws = workstation(sara);
    await ws.pull();
    const farFuture = new Date(Date.now() + 10 * 365 * 86_400_000);
    await purgeExpired(db, SERVER_REGISTRY.retained, farFuture, { day_note: 1 });
    expect((await db.query('SELECT 1 FROM plan_versions WHERE plan_id = $1', [id])).rows).toHaveLength(1);
    expect(ws.store.applyRetention({ serverTime: farFuture.toISOString(), retentionDays: { day_note: 1 } })).not.toContain('plan');
    expect(ws.store.read('plan', 'get', id)).toMatchObject({ versions: [{ versionNo: 1 }] });
  });
});
