/**
 * The assignment inbox at 10k assignments (`npm run bench -- inbox [--assignments N] [--runs N]`).
 * The server (PGlite, demo seed) runs in process only for the card login; the workstation's
 * encrypted store is filled beforehand with N assignments in the user's two units (through the
 * store's bulk path, as a pull would write them), and everything is measured through the real
 * contract — workstation.dispatch('inbox.list', …) → router (zod in and out) → InboxService → store
 * worker → SQLCipher:
 *   - inbox_first_page_ms: the first page (100 rows, latest change first, with the counts per status),
 *   - inbox_filter_change_ms: a filter change (status + unit + client name, sorted by client),
 *   - inbox_scroll_page_ms: a page deep in the list (offset 5,000, 200 rows), as the virtual list fetches it.
 * Goal: medians < 50 ms. Nothing is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Change, PermittedUnit } from '#contract';
import type { InboxPage } from '#contract';
import { createWorkstation } from '../main/app';
import { DevKeyFileVault, openLocalStore } from '../main/store';
import type { WorkerStore } from '../main/store/worker-client';
import { migrate, openDb } from '../server/db';
import { seedDemoData } from '../server/demo';
import { fakeAssignment } from '../test/support/assignments';
import { writeCardFile } from '../tools/card';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import { percentile, report, arg } from './report';
import { startBenchServer } from './server';

const BENCH = 'inbox';
const SARA = 'SE2321000131-P000000000103';


export async function run(args: string[]): Promise<void> {
  const n = arg(args, 'assignments', 10_000);
  const runs = arg(args, 'runs', 40);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-inbox-'));
  const db = await openDb({ dataDir: path.join(dir, 'pglite') });
  try {
    await migrate(db);
    await seedDemoData(db);
    const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM units ORDER BY name');
    const units: PermittedUnit[] = rows.map((r) => ({ unitId: r.id, name: r.name, validFrom: '2020-01-01', validTo: null }));
    const pki = await generateTestPki();
    const cardFile = await writeCardFile(path.join(dir, 'sara.json'), await issuePersonCard(pki, { hsaId: SARA, givenName: 'Sara', familyName: 'Nyström', pin: '123456' }));
    const { app, url: origin } = await startBenchServer(db, pki);

    // ---- N assignments in Sara's encrypted store, as pulls would have written them ----
    const wsDir = path.join(dir, 'ws');
    const t0 = performance.now();
    const store = (await openLocalStore({ dataDir: wsDir, hsaId: SARA, vault: new DevKeyFileVault(wsDir) })) as unknown as WorkerStore;
    // Cursors far ahead of the server's: the login's pull brings nothing that would replace them.
    const cursors = Object.fromEntries(units.map((u) => [u.unitId, 1_000_000_000]));
    for (let start = 0; start < n; start += 2_000) {
      const changes: Change[] = [];
      for (let i = start; i < Math.min(n, start + 2_000); i++) {
        const a = fakeAssignment(units[i % units.length]!, i);
        changes.push({ seq: i + 1, op: 'upsert', type: 'assignment', id: a.id, unitId: a.unitId, record: a });
      }
      await store.bulkLoad({ units, changes, cursors });
    }
    await store.close();
    report(BENCH, 'generate_s', (performance.now() - t0) / 1000, 's', { assignments: n });

    const ws = await createWorkstation({ host: 'browser', serverUrl: origin, dataDir: wsDir, card: { kind: 'demo', cardFile }, workstationName: 'bench' });
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const r = await ws.dispatch(method, input);
      if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      return r.value as T;
    };
    try {
      await call('session.login', { pin: '123456' });
      await call('sync.now', {});
      const all = await call<InboxPage>('inbox.list', { limit: 100 });
      if (all.total !== n) throw new Error(`expected ${n} assignments in the store, found ${all.total}`);

      const measure = async (metric: string, input: () => unknown, extra: Record<string, unknown> = {}) => {
        const samples: number[] = [];
        let rowsSeen = 0;
        for (let i = 0; i < runs + 3; i++) {
          const t = performance.now();
          const page = await call<InboxPage>('inbox.list', input());
          const ms = performance.now() - t;
          rowsSeen = page.items.length;
          if (i >= 3) samples.push(ms); // the first runs warm SQLite's cache and the statement cache
        }
        const p50 = percentile(samples, 50);
        report(BENCH, metric, p50, 'ms', { p95_ms: Math.round(percentile(samples, 95) * 100) / 100, rows: rowsSeen, assignments: n, runs, goal_ms: 50, met: p50 < 50, ...extra });
      };
      const names = ['berg', 'lind', 'ek', 'holm', 'dahl', 'öberg'];
      let k = 0;
      await measure('inbox_first_page_ms', () => ({ limit: 100 }));
      await measure('inbox_filter_change_ms', () => ({ status: ['new', 'cancellation_requested'], unitId: units[k % 2]!.unitId, client: names[k++ % names.length], sort: 'client_asc', limit: 100 }), { filter: 'status+unit+client name, client order' });
      await measure('inbox_status_filter_ms', () => ({ status: [(['new', 'executed', 'paused'] as const)[k++ % 3]], limit: 100 }));
      await measure('inbox_scroll_page_ms', () => ({ offset: 5_000, limit: 200 }));
    } finally {
      await ws.close();
      await app.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
