import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { formatPersonnummer, swedishDate, swedishLocalDateTime, type Mutation } from '#contract';
import { rng } from '../../bench/generated';
import type { Db } from '../../server/db';
import type { TestPki } from '../../tools/pki/index';
import { sessionFor, testCard } from '../unit/server/auth-suite';
import { MUTATION_SAMPLES } from '../unit/sync/kinds-suite';
import { addOrganisation, addPerson, grantRole, permit } from './world';

/**
 * A generated world for the data-level access check (test/integration/server/client-data.test.ts):
 * from a seed, two provider organisations with two or three units each, one or two clients per
 * unit, the people every kind of caller needs, and client data of every kind made through the API
 * by those allowed to (assignments, threads with attachments, plans with consent, incidents,
 * access-log rows and reviews). Every client has its secrets: everything by which an answer could
 * name it (id, personnummer, name, and the ids and marked texts of its records).
 */

/** A Luhn-valid personnummer born in 2099: never a real person's. `k` makes it unique. */
export function futurePersonnummer(k: number): string {
  const ten = `99${String(1 + (k % 12)).padStart(2, '0')}${String(1 + (Math.floor(k / 12) % 28)).padStart(2, '0')}${String(Math.floor(k / 336) % 1000).padStart(3, '0')}`;
  const sum = [...ten].reduce((s, d, i) => {
    const v = Number(d) * (i % 2 === 0 ? 2 : 1);
    return s + (v > 9 ? v - 9 : v);
  }, 0);
  return `20${ten}${(10 - (sum % 10)) % 10}`;
}

/** The kinds of caller; each world has one or more of each. */
export type CallerKind = 'unitStaff' | 'ended' | 'superuser' | 'manager' | 'adminUnit' | 'adminOrg' | 'officer' | 'officerWithout';

export interface Caller {
  kind: CallerKind;
  label: string;
  staffId: string;
  token: string;
  organisationId: string | null;
  /** Units of her permissions today (after `ended`'s permission ended). */
  units: string[];
  /** Her administrator (it_contact) reach: null if none; `units` null for the whole organisation. */
  adminReach: { organisationId: string; units: string[] | null } | null;
  /** Clients she sent an assignment for (a case officer). */
  officerClients: string[];
}

export interface WorldClient {
  id: string;
  unitId: string;
  organisationId: string;
  personnummer: string;
  name: string;
  /** Everything by which an answer names the client. */
  secrets: string[];
}

export interface World {
  seed: number;
  clients: WorldClient[];
  units: { id: string; organisationId: string }[];
  callers: Caller[];
  assignments: string[];
  threads: string[];
  attachments: string[];
  plans: string[];
  incidents: string[];
  /** Deviation reports (avvikelser), one per client, by a colleague of its unit. */
  deviations: string[];
  reviews: string[];
  /** Access-log rows about clients (a review's findings). */
  logRows: string[];
}

const PDF = (marker: string) => Buffer.from(`%PDF-1.4\n% ${marker}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`).toString('base64');

/** Builds the world of `seed` on `app` (a server over `db` with the demo seed) and logs every caller in. */
export async function buildWorld(app: FastifyInstance, db: Db, pki: TestPki, seed: number): Promise<World> {
  const rand = rng(seed); // mulberry32, so a failing seed can be run again (SEEDS=…)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const tag = `${seed}x`;
  let n = 0;
  const hsa = () => `SE5500000000-S${seed}P${++n}`;
  const today = swedishDate();
  const world: World = { seed, clients: [], units: [], callers: [], assignments: [], threads: [], attachments: [], plans: [], incidents: [], deviations: [], reviews: [], logRows: [] };

  const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'x-workstation': 'WS-VARLD' }, ...(method === 'POST' ? { payload: (payload ?? {}) as object } : {}) });
    expect([200, 201], `${method} ${url}: ${res.body.slice(0, 300)}`).toContain(res.statusCode);
    return res.json() as Record<string, unknown>;
  };
  const person = async (kind: CallerKind, organisationId: string | null, role: 'staff' | 'case_officer' = 'staff') => {
    const p = { hsaId: hsa(), givenName: `Per${tag}${n}`, familyName: kind };
    const staffId = await addPerson(db, { ...p, role, organisationId });
    return { p, staffId };
  };
  const login = async (c: Omit<Caller, 'token'>, p: { hsaId: string; givenName: string; familyName: string }) => {
    const card = await testCard(pki, p);
    const { token } = c.kind.startsWith('officer') ? await sessionFor(app, card, 'officer') : await sessionFor(app, card);
    const caller: Caller = { ...c, token };
    world.callers.push(caller);
    return caller;
  };

  // Organisations, units, clients.
  let k = seed * 1000;
  for (let o = 0; o < 2; o++) {
    const names = Array.from({ length: 2 + Math.floor(rand() * 2) }, (_, u) => `Enhet ${seed}-${o}-${u}`);
    const org = await addOrganisation(db, `Organisation ${seed}-${o}`, names);
    for (const unitId of org.units) {
      world.units.push({ id: unitId, organisationId: org.id });
      for (let c = 0, count = 1 + Math.floor(rand() * 2); c < count; c++) {
        const i = String(world.clients.length).padStart(2, '0');
        const personnummer = futurePersonnummer(k++);
        const given = `Gk${tag}${i}`;
        const family = `Fk${tag}${i}`;
        const { rows } = await db.query<{ id: string }>('INSERT INTO clients (personnummer, given_name, family_name, unit_id) VALUES ($1, $2, $3, $4) RETURNING id', [personnummer, given, family, unitId]);
        const name = `${given} ${family}`;
        world.clients.push({ id: rows[0]!.id, unitId, organisationId: org.id, personnummer, name, secrets: [rows[0]!.id, personnummer, formatPersonnummer(personnummer), name, `MRK${tag}${i}Q`] });
      }
    }
  }
  const unitsOf = (org: string) => world.units.filter((u) => u.organisationId === org).map((u) => u.id);
  const marker = (c: WorldClient) => c.secrets[4]!;

  // The people: per organisation staff of each unit, one whose permission ends, a superuser, a
  // manager, an administrator of one unit and one of the organisation; two case officers.
  const officerRaw = await person('officer', null, 'case_officer');
  const officer = await login({ kind: 'officer', label: 'officer', staffId: officerRaw.staffId, organisationId: null, units: [], adminReach: null, officerClients: [] }, officerRaw.p);
  const without = await person('officerWithout', null, 'case_officer');
  await login({ kind: 'officerWithout', label: 'officerWithout', staffId: without.staffId, organisationId: null, units: [], adminReach: null, officerClients: [] }, without.p);
  const endings: { staffId: string }[] = [];
  const unitStaff = new Map<string, Caller>();
  for (const org of [...new Set(world.units.map((u) => u.organisationId))]) {
    const units = unitsOf(org);
    const base = { organisationId: org, adminReach: null, officerClients: [] as string[] };
    for (const [i, unitId] of units.entries()) {
      const s = await person('unitStaff', org);
      await permit(db, s.staffId, unitId);
      unitStaff.set(unitId, await login({ ...base, kind: 'unitStaff', label: `unitStaff(${i})`, staffId: s.staffId, units: [unitId] }, s.p));
    }
    const ended = await person('ended', org);
    await permit(db, ended.staffId, pick(units));
    await login({ ...base, kind: 'ended', label: 'ended', staffId: ended.staffId, units: [] }, ended.p);
    endings.push(ended);
    const su = await person('superuser', org);
    await grantRole(db, su.staffId, org, null, 'superuser');
    await login({ ...base, kind: 'superuser', label: 'superuser', staffId: su.staffId, units: [] }, su.p);
    const manager = await person('manager', org);
    const managed = pick(units);
    await grantRole(db, manager.staffId, org, managed, 'manager');
    await permit(db, manager.staffId, managed);
    await login({ ...base, kind: 'manager', label: 'manager', staffId: manager.staffId, units: [managed] }, manager.p);
    const adminUnit = await person('adminUnit', org);
    const administered = pick(units);
    await grantRole(db, adminUnit.staffId, org, administered, 'it_contact');
    await login({ ...base, kind: 'adminUnit', label: 'adminUnit', staffId: adminUnit.staffId, units: [], adminReach: { organisationId: org, units: [administered] } }, adminUnit.p);
    const adminOrg = await person('adminOrg', org);
    await grantRole(db, adminOrg.staffId, org, null, 'it_contact');
    const own = pick(units);
    await permit(db, adminOrg.staffId, own);
    await login({ ...base, kind: 'adminOrg', label: 'adminOrg', staffId: adminOrg.staffId, units: [own], adminReach: { organisationId: org, units: null } }, adminOrg.p);
  }

  // Client data, each made by who may: the officer's assignments (most clients), the unit's
  // thread with an attachment, a set plan with consent, an incident naming the client.
  for (const c of world.clients) {
    const staff = unitStaff.get(c.unitId)!;
    if (rand() < 0.7) {
      const a = await call(officer.token, 'POST', '/api/v1/officer/assignments', {
        client: { clientId: c.id },
        decision: { reference: `DA-${seed}-${world.assignments.length}`, date: today },
        services: [{ name: 'Hemtjänst', grantedHours: 10, per: 'week' }],
        startDate: today,
        freeText: `Uppdrag ${marker(c)}`,
      });
      world.assignments.push(a.id as string);
      c.secrets.push(a.id as string);
      officer.officerClients.push(c.id);
    }
    const thread = await call(staff.token, 'POST', '/api/v1/messages/threads', { subject: 'Om brukaren', clientId: c.id, toUnit: true, participantIds: [], text: `Om ${marker(c)}` });
    const threadId = (thread.thread as { id: string }).id;
    const pdf = PDF(marker(c));
    const attached = await call(staff.token, 'POST', `/api/v1/messages/threads/${threadId}/attachments`, { text: 'Journalutdrag bifogat.', kind: 'journal', fileName: 'journal-utdrag.pdf', content: pdf });
    const attachmentId = (attached.messages as { attachment: { id: string } | null }[]).at(-1)!.attachment!.id;
    world.threads.push(threadId);
    world.attachments.push(attachmentId);
    c.secrets.push(threadId, attachmentId, pdf);

    const [draft, set] = MUTATION_SAMPLES['plan.set']({ unitId: c.unitId, clientId: c.id, text: `Plan ${marker(c)}` } as never) as [Mutation, Mutation];
    const consent: Mutation = { mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'plan.consent', record: { id: draft.record.id, consentId: randomUUID(), status: 'given', date: today, how: 'written', givenBy: 'client', representative: '', note: '' } };
    const pushed = await call(staff.token, 'POST', '/api/v1/sync/push', { mutations: [draft, set, consent] });
    expect((pushed.results as { status: string }[]).map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    world.plans.push(draft.record.id);
    c.secrets.push(draft.record.id);

    // A deviation about the client (docs/deviations.md): its manager handles it.
    const [deviation] = MUTATION_SAMPLES['deviation.report']({ unitId: c.unitId, clientId: c.id, text: `Avvikelse ${marker(c)}` } as never) as [Mutation];
    const reported = await call(staff.token, 'POST', '/api/v1/sync/push', { mutations: [deviation] });
    expect((reported.results as { status: string }[]).map((r) => r.status)).toEqual(['applied']);
    world.deviations.push(deviation.record.id);
    c.secrets.push(deviation.record.id);

    // A consent of the client's register, withdrawn (docs/consents.md): the unit's staff see it through the sync.
    const [recorded, withdrawn] = MUTATION_SAMPLES['consent.withdraw']({ unitId: c.unitId, clientId: c.id, text: `Samtycke ${marker(c)}` } as never) as [Mutation, Mutation];
    const consented = await call(staff.token, 'POST', '/api/v1/sync/push', { mutations: [recorded, withdrawn] });
    expect((consented.results as { status: string }[]).map((r) => r.status)).toEqual(['applied', 'applied']);
    c.secrets.push(recorded.record.id);

    // An incident is the organisation's (its administrators follow up every one); what names the
    // client in it is the client list, each shown only to who may see that client.
    const incident = await call(staff.token, 'POST', '/api/v1/incidents', { what: 'Skärmen lämnades olåst.', discoveredAt: swedishLocalDateTime(new Date()), personnummer: [formatPersonnummer(c.personnummer)] });
    world.incidents.push(incident.id as string);
  }
  // The case officer writes to the unit about one of her clients too.
  const hers = world.clients.find((c) => officer.officerClients.includes(c.id));
  if (hers) {
    const t = await call(officer.token, 'POST', '/api/v1/messages/threads', { subject: 'Från handläggaren', clientId: hers.id, toUnit: true, participantIds: [], text: `Fråga ${marker(hers)}` });
    world.threads.push((t.thread as { id: string }).id);
    hers.secrets.push((t.thread as { id: string }).id);
  }
  // Each organisation's administrator reviews the newest rows of its log.
  // Each organisation's administrator reviews one client's rows (the criteria name the client).
  for (const admin of world.callers.filter((c) => c.kind === 'adminOrg')) {
    const client = pick(world.clients.filter((c) => c.organisationId === admin.organisationId));
    const search = { personnummer: client.personnummer };
    const page = await call(admin.token, 'POST', '/api/v1/admin/access-log/search', search);
    const rows = (page.rows as { id: string }[]).slice(0, 5);
    world.logRows.push(...rows.map((r) => r.id));
    const review = await call(admin.token, 'POST', '/api/v1/admin/access-log/reviews', { kind: 'search', search, summary: 'Granskat.', findings: rows.map((r) => ({ logId: r.id, verdict: 'justified', comment: '' })) });
    world.reviews.push(review.id as string);
  }
  // Now the ended permissions end: their sessions live on, their permission does not.
  for (const e of endings) await db.query(`UPDATE permissions SET valid_to = (now() AT TIME ZONE 'Europe/Stockholm')::date - 1 WHERE staff_id = $1`, [e.staffId]);
  return world;
}
