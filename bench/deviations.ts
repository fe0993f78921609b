/**
 * Deviations (`npm run bench -- deviations [--deviations N] [--units N] [--runs N]`), on a
 * throwaway PostgreSQL cluster (or DATABASE_URL, an empty database: it is filled), demo seed plus
 * N generated deviations (default 100,000) over `units` units (default 10, so 10,000 a unit), two
 * years of reports with every stage of handling (a third open), 200 clients a unit. Measured:
 *   - deviation_manager_list_ms: a unit manager's open list, overdue first, over her unit's
 *     N/units deviations (`GET /api/v1/deviations`, the route with its role check, in process),
 *     goal p50 < 20 ms;
 *   - deviation_unit_stats_ms: the organisation manager's follow-up per unit, category and month
 *     with median lead times over all N (`GET /api/v1/deviation-stats`, two years: the rollup the
 *     trigger keeps), goal p50 < 50 ms; beside it the patterns (same client, same hour), which read
 *     the deviations themselves, for one unit's last 90 days and for all N (no goal in the issue);
 *   - deviation_report_offline_ms: a staff member's report at her workstation with the server
 *     down (`deviations.report` through workstation.dispatch → router → service → store worker →
 *     SQLCipher: the local row and the outbox), goal p50 < 10 ms.
 * The machine calibration is printed beside the figures. Nothing is kept.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { swedishDate } from '#contract';
import { createWorkstation } from '../main/app';
import { migrate, openPostgres, type Db } from '../server/db';
import { seedDemoData } from '../server/demo';
import { startPostgres } from '../test/support/postgres-setup';
import { loginToken } from '../test/unit/server/auth-suite';
import { writeCardFile } from '../tools/card';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import { arg, calibrationMs, percentile, report } from './report';
import { startBenchServer } from './server';

const BENCH = 'deviations';
const ANNA = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
const KARIN = { hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm' };
const UNIT_MANAGER = { hsaId: 'SE2321000131-P000000000401', givenName: 'Bänk', familyName: 'Chef' };

/** N deviations over `units` new units of the demo organisation, in SQL; the unit manager of the first. */
export async function generate(db: Db, n: number, units: number): Promise<{ firstUnit: string; seconds: number }> {
  const t0 = performance.now();
  const org = (await db.query<{ id: string }>('SELECT id FROM organisations LIMIT 1')).rows[0]!.id;
  await db.query(`INSERT INTO units (organisation_id, name, service_type) SELECT $1, 'Bänkenhet ' || lpad(g::text, 2, '0'), 'hemtjanst' FROM generate_series(1, ${units}) g`, [org]);
  const { rows: unitRows } = await db.query<{ id: string }>(`SELECT id FROM units WHERE name LIKE 'Bänkenhet %' ORDER BY name`);
  await db.query(
    `INSERT INTO clients (personnummer, given_name, family_name, unit_id)
     SELECT '17' || lpad((u.n * 1000 + g)::text, 10, '0'), 'Brukare', 'Nummer ' || g, u.id
       FROM (SELECT id, row_number() OVER (ORDER BY name) AS n FROM units WHERE name LIKE 'Bänkenhet %') u, generate_series(1, 200) g`,
  );
  const { rows: s } = await db.query<{ id: string }>(
    `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, $2, $3, 'Enhetschef', 'manager', $4) RETURNING id`,
    [UNIT_MANAGER.hsaId, UNIT_MANAGER.givenName, UNIT_MANAGER.familyName, org],
  );
  await db.query(`INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at) VALUES ($1, $2, $3, 'manager', '2025-01-01', now())`, [s[0]!.id, org, unitRows[0]!.id]);
  // Reported over the last two years; a third still open (at each stage), the rest closed after 1–40 days.
  await db.query(
    `WITH c AS (SELECT id, unit_id, row_number() OVER (ORDER BY unit_id, personnummer) - 1 AS k FROM clients WHERE personnummer LIKE '17%'),
          reporter AS (SELECT id, hsa_id, given_name || ' ' || family_name AS name, title FROM staff WHERE hsa_id = $2),
          g AS (SELECT g, now() - (g % 730) * interval '1 day' - (g % 24) * interval '1 hour' AS reported_at FROM generate_series(1, $1::int) g)
     INSERT INTO deviations (id, unit_id, client_id, occurred_at, occurred_hour, place, category, description, consequence, immediate_action, lex_sarah,
       reporter_staff_id, reporter_hsa_id, reporter_name, reporter_title, reported_at, reported_on, reported_month, client_reported_at,
       status, decision, next_step, next_due, received_at, closed_at, updated_at)
     SELECT gen_random_uuid(), c.unit_id, c.id, g.reported_at - interval '1 hour', extract(hour FROM (g.reported_at - interval '1 hour') AT TIME ZONE 'Europe/Stockholm')::int,
            'Brukarens bostad', (ARRAY['missed_visit','late_visit','fall','treatment','hygiene_care','medication','other'])[1 + g.g % 7],
            'Genererad avvikelse för mätning.', '', '', (ARRAY['yes','no','unsure'])[1 + g.g % 3],
            r.id, r.hsa_id, r.name, r.title, g.reported_at, (g.reported_at AT TIME ZONE 'Europe/Stockholm')::date,
            date_trunc('month', g.reported_at AT TIME ZONE 'Europe/Stockholm')::date, g.reported_at,
            CASE WHEN g.g % 3 = 0 THEN (ARRAY['reported','received','investigating','decided'])[1 + (g.g / 3) % 4] ELSE 'closed' END,
            CASE WHEN g.g % 3 = 0 AND (g.g / 3) % 4 = 3 THEN 'missforhallande' WHEN g.g % 3 <> 0 THEN 'none' END,
            CASE WHEN g.g % 3 = 0 THEN (ARRAY['received','investigation','decision','closed'])[1 + (g.g / 3) % 4] END,
            CASE WHEN g.g % 3 = 0 THEN ((g.reported_at AT TIME ZONE 'Europe/Stockholm')::date + (1 + (g.g / 3) % 4 * 7)) END,
            CASE WHEN g.g % 3 = 0 AND (g.g / 3) % 4 = 0 THEN NULL ELSE g.reported_at + interval '5 hours' END,
            CASE WHEN g.g % 3 = 0 THEN NULL ELSE g.reported_at + (1 + g.g % 40) * interval '1 day' END,
            g.reported_at
       FROM g JOIN c ON c.k = g.g % (SELECT count(*) FROM c) CROSS JOIN reporter r`,
    [n, ANNA.hsaId],
  );
  await db.query('ANALYZE deviations');
  // 100,000 trigger updates in one go left as many dead versions of the rollup's 1,754 rows; autovacuum
  // would clear them soon after on a running server — the figures are of that steady state.
  await db.query('VACUUM ANALYZE deviation_month_stats');
  return { firstUnit: unitRows[0]!.id, seconds: (performance.now() - t0) / 1000 };
}

export async function run(args: string[]): Promise<void> {
  const n = arg(args, 'deviations', 100_000);
  const unitCount = arg(args, 'units', 10);
  const runs = arg(args, 'runs', 40);
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now' });
  const cluster = process.env.DATABASE_URL ? null : await startPostgres();
  const db = await openPostgres({ connectionString: process.env.DATABASE_URL ?? cluster!.url, maxConnections: 4 });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-deviations-'));
  try {
    await migrate(db);
    await seedDemoData(db);
    const { firstUnit, seconds } = await generate(db, n, unitCount);
    report(BENCH, 'generate_s', seconds, 's', { deviations: n, units: unitCount });
    const pki = await generateTestPki();
    const { app, url } = await startBenchServer(db, pki);

    const tokenOf = async (person: typeof ANNA) => {
      const card = await issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false });
      const { nonce } = (await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json() as { nonce: string };
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(card, nonce, url) });
      if (res.statusCode !== 200) throw new Error(`login ${res.statusCode}`);
      return (res.json() as { token: string }).token;
    };
    const measure = async (metric: string, goal: number | null, once: (i: number) => Promise<number>, extra: Record<string, unknown> = {}) => {
      const samples: number[] = [];
      let rows = 0;
      for (let i = 0; i < runs + 3; i++) {
        const t = performance.now();
        rows = await once(i);
        if (i >= 3) samples.push(performance.now() - t); // the first runs warm the caches and the statement plans
      }
      const p50 = percentile(samples, 50);
      report(BENCH, metric, p50, 'ms', { p95_ms: Math.round(percentile(samples, 95) * 100) / 100, rows, runs, ...(goal === null ? {} : { goal_ms: goal, met: p50 < goal }), ...extra });
    };
    const get = async (token: string, route: string) => {
      const r = await app.inject({ method: 'GET', url: route, headers: { authorization: `Bearer ${token}` } });
      if (r.statusCode !== 200) throw new Error(`${route}: ${r.statusCode} ${r.body}`);
      return r.json() as Record<string, unknown[]>;
    };

    const unitManager = await tokenOf(UNIT_MANAGER);
    // What any route with a session costs here (the session check, inject, the answer's contract check): the floor under the figures below.
    await measure('route_floor_units_ms', null, async () => (await get(unitManager, '/api/v1/units')).units!.length);
    const inUnit = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM deviations WHERE unit_id = $1', [firstUnit])).rows[0]!.n);
    await measure('deviation_manager_list_ms', 20, async () => (await get(unitManager, `/api/v1/deviations?state=open&limit=100`)).items!.length, { unit_deviations: inUnit });
    const karin = await tokenOf(KARIN);
    const to = swedishDate();
    const from = swedishDate(new Date(), -730);
    await measure('deviation_unit_stats_ms', 50, async () => (await get(karin, `/api/v1/deviation-stats?from=${from}&to=${to}`)).rows!.length, { deviations: n, period_days: 730 });
    // The patterns read the deviations themselves (no goal in the issue): one unit, the last 90 days, and all N over two years.
    const recent = swedishDate(new Date(), -90);
    await measure('deviation_patterns_unit_90d_ms', null, async () => (await get(unitManager, `/api/v1/deviation-patterns?from=${recent}&to=${to}`)).hours!.length);
    await measure('deviation_patterns_all_2y_ms', null, async () => (await get(karin, `/api/v1/deviation-patterns?from=${from}&to=${to}`)).hours!.length, { deviations: n });

    // ---- a report at Anna's workstation, offline ----
    const wsDir = path.join(dir, 'ws');
    const cardFile = await writeCardFile(path.join(dir, 'anna.json'), await issuePersonCard(pki, { ...ANNA, pin: '123456' }));
    const ws = await createWorkstation({ host: 'browser', serverUrl: url, dataDir: wsDir, card: { kind: 'demo', cardFile }, workstationName: 'bench' });
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const res = await ws.dispatch(method, input);
      if (!res.ok) throw new Error(`${method}: ${res.error.code} ${res.error.message}`);
      return res.value as T;
    };
    try {
      await call('session.login', { pin: '123456' });
      await call('sync.now', {});
      const units = await call<{ id: string }[]>('units.list', {});
      const clients = await call<{ id: string; unitId: string }[]>('clients.list', { limit: 50 });
      await app.close();
      await measure('deviation_report_offline_ms', 10, async (i) => {
        const c = clients[i % clients.length]!;
        await call('deviations.report', {
          requestId: randomUUID(), unitId: c.unitId, clientId: c.id, assignmentId: null, occurredAt: new Date().toISOString(), place: 'Brukarens bostad',
          category: 'late_visit', description: `Besöket kom en timme sent (${i}).`, consequence: '', immediateAction: 'Ringde brukaren.', lexSarah: 'no',
        });
        return 1;
      }, { units: units.length });
    } finally {
      await ws.close();
    }
  } finally {
    await db.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
