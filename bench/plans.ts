/**
 * Implementation plans at 10k clients (`npm run bench -- plans [--clients N] [--runs N]`). The
 * server (PGlite, demo seed) runs in process only for the card login and is then stopped, so the
 * workstation works offline, as the figures are about the local store. Sara's encrypted store is
 * filled beforehand (through the store's bulk path, as pulls would write them) with N clients in
 * one unit, each with an executed assignment, and 90 % of them with a plan of 3 set versions (the
 * rest have none). Measured through the real contract — workstation.dispatch → router (zod in and
 * out) → PlansService → store worker → SQLCipher:
 *   - plan_tab_open_ms: opening a client's plan tab (`plans.list`, its access-log event queued),
 *     goal p50 < 20 ms;
 *   - plan_due_list_ms: the unit's "Planer att följa upp" over the N clients (`plans.due`), goal p50 < 50 ms;
 *   - plan_set_ms: setting a draft as a new version (`plans.set`: the local commit, queued for the
 *     server), goal p50 < 10 ms.
 * The machine calibration is printed beside the figures. Nothing is kept.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Author, Change, ClientRecord, PermittedUnit, PlanContent, PlanRecord, PlanVersion } from '#contract';
import { createWorkstation } from '../main/app';
import { DevKeyFileVault, openLocalStore } from '../main/store';
import type { WorkerStore } from '../main/store/worker-client';
import { migrate, openDb } from '../server/db';
import { seedDemoData } from '../server/demo';
import { fakeAssignment } from '../test/support/assignments';
import { writeCardFile } from '../tools/card';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import { rng } from './generated';
import { arg, calibrationMs, percentile, report } from './report';
import { startBenchServer } from './server';

const BENCH = 'plans';
const SARA = 'SE2321000131-P000000000103';
const author: Author = { staffId: randomUUID(), hsaId: SARA, name: 'Sara Nyström', title: 'Undersköterska' };
const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function content(r: () => number, n: number): PlanContent {
  const goal = () => ({ id: randomUUID(), text: `Mål ${n}: klara morgonrutinen med mindre stöd, steg för steg under hösten.` });
  return {
    assignmentIds: [],
    clientGoals: 'Bo kvar hemma, träffa vänner och klara morgonen själv.',
    areas: [
      { lifeArea: 'self_care', needs: 'Stöd vid dusch och påklädning.', goals: [goal(), goal()] },
      { lifeArea: 'domestic_life', needs: 'Orkar inte handla.', goals: [goal()] },
    ],
    activities: Array.from({ length: 3 }, (_, i) => ({ id: randomUUID(), lifeArea: 'self_care' as const, what: `Aktivitet ${i + 1}`, who: 'Undersköterska', how: 'Brukaren gör det hon kan själv.', when: 'Mån–fre 08.00', ksiCode: r() < 0.3 ? 'PMB.AA' : null })),
    participation: 'Brukaren deltog och formulerade målen.',
    othersPresent: [{ role: 'relative', name: 'Dotter' }],
    cooperation: 'Distriktssköterskan vid sår.',
    followUp: { date: r() < 0.2 ? day(Date.UTC(2026, 10, 1) + Math.floor(r() * 60) * DAY) : null, how: 'Samtal.' },
  };
}

/** A plan with three set versions, the last set within the past 13 months; `draft`: one waiting to be set. */
function plan(r: () => number, unitId: string, clientId: string, n: number, draft: boolean): PlanRecord {
  const lastSet = Date.UTC(2026, 11, 1) - Math.floor(r() * 395) * DAY;
  const at = new Date(lastSet).toISOString();
  const versions: PlanVersion[] = [2, 1, 0].map((ago, i) => ({
    id: randomUUID(),
    versionNo: i + 1,
    status: ago === 0 ? 'set' : 'replaced',
    content: content(r, n),
    setOn: day(lastSet - ago * 365 * DAY),
    setBy: author,
    setAt: at,
    replacedOn: ago === 0 ? null : day(lastSet - (ago - 1) * 365 * DAY),
  }));
  return {
    id: randomUUID(),
    unitId,
    clientId,
    revision: draft ? 7 : 6,
    createdAt: at,
    createdBy: author,
    draft: draft ? { basedOnVersionId: versions[2]!.id, content: content(r, n), savedAt: at, savedBy: author } : null,
    versions,
    followUps: [],
    consents: [{ id: randomUUID(), status: 'given', date: day(lastSet), how: 'written', givenBy: 'client', representative: '', note: '', recordedBy: author, recordedAt: at }],
  };
}

export async function run(args: string[]): Promise<void> {
  const n = arg(args, 'clients', 10_000);
  const runs = arg(args, 'runs', 40);
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now' });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-plans-'));
  const db = await openDb({ dataDir: path.join(dir, 'pglite') });
  try {
    await migrate(db);
    await seedDemoData(db);
    const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM units ORDER BY name');
    const units: PermittedUnit[] = rows.map((x) => ({ unitId: x.id, name: x.name, validFrom: '2020-01-01', validTo: null }));
    const unit = units.find((u) => u.name === 'Hemtjänst Majorna')!;
    const pki = await generateTestPki();
    const cardFile = await writeCardFile(path.join(dir, 'sara.json'), await issuePersonCard(pki, { hsaId: SARA, givenName: 'Sara', familyName: 'Nyström', pin: '123456' }));
    const { app, url: origin } = await startBenchServer(db, pki);

    // ---- N clients, their assignments and plans in Sara's encrypted store ----
    const wsDir = path.join(dir, 'ws');
    const t0 = performance.now();
    const store = (await openLocalStore({ dataDir: wsDir, hsaId: SARA, vault: new DevKeyFileVault(wsDir) })) as unknown as WorkerStore;
    const cursors = Object.fromEntries(units.map((u) => [u.unitId, 1_000_000_000]));
    const r = rng(15);
    const clients: ClientRecord[] = [];
    const drafts: PlanRecord[] = [];
    let seq = 1;
    for (let start = 0; start < n; start += 1_000) {
      const changes: Change[] = [];
      for (let i = start; i < Math.min(n, start + 1_000); i++) {
        const a = fakeAssignment(unit, i, { status: 'executed', executionDate: day(Date.UTC(2025, 0, 1) + (i % 700) * DAY) });
        const c: ClientRecord = { id: a.clientId, unitId: unit.unitId, personnummer: a.client.personnummer, givenName: a.client.givenName, familyName: a.client.familyName };
        clients.push(c);
        changes.push({ seq: seq++, op: 'upsert', type: 'client', id: c.id, unitId: c.unitId, record: c });
        changes.push({ seq: seq++, op: 'upsert', type: 'assignment', id: a.id, unitId: a.unitId, record: a });
        if (i % 10 !== 9) {
          const p = plan(r, unit.unitId, c.id, i, drafts.length < runs + 3);
          if (p.draft) drafts.push(p);
          changes.push({ seq: seq++, op: 'upsert', type: 'plan', id: p.id, unitId: p.unitId, record: p });
        }
      }
      await store.bulkLoad({ units, changes, cursors });
    }
    await store.close();
    report(BENCH, 'generate_s', (performance.now() - t0) / 1000, 's', { clients: n, versions_per_plan: 3 });

    const ws = await createWorkstation({ host: 'browser', serverUrl: origin, dataDir: wsDir, card: { kind: 'demo', cardFile }, workstationName: 'bench' });
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const res = await ws.dispatch(method, input);
      if (!res.ok) throw new Error(`${method}: ${res.error.code} ${res.error.message}`);
      return res.value as T;
    };
    try {
      await call('session.login', { pin: '123456' });
      await call('sync.now', {});
      // Offline from here: the figures are the store's, not the network's.
      await app.close();
      const measure = async (metric: string, goal: number, once: (i: number) => Promise<number>, extra: Record<string, unknown> = {}) => {
        const samples: number[] = [];
        let rowsSeen = 0;
        for (let i = 0; i < runs + 3; i++) {
          const t = performance.now();
          rowsSeen = await once(i);
          const ms = performance.now() - t;
          if (i >= 3) samples.push(ms); // the first runs warm SQLite's cache and the statement cache
        }
        const p50 = percentile(samples, 50);
        report(BENCH, metric, p50, 'ms', { p95_ms: Math.round(percentile(samples, 95) * 100) / 100, rows: rowsSeen, clients: n, runs, goal_ms: goal, met: p50 < goal, ...extra });
      };
      await measure('plan_tab_open_ms', 20, async (i) => (await call<PlanRecord[]>('plans.list', { clientId: clients[(i * 7919) % clients.length]!.id })).length, { versions: 3 });
      await measure('plan_due_list_ms', 50, async () => (await call<unknown[]>('plans.due', { unitId: unit.unitId, limit: 500 })).length);
      await measure('plan_set_ms', 10, async (i) => {
        const p = drafts[i]!;
        await call('plans.set', { planId: p.id, revision: p.revision, setOn: '2026-12-01' });
        return 1;
      });
    } finally {
      await ws.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
