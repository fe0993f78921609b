/**
 * The journal on the workstation, through `workstation.dispatch` as the renderer calls it
 * (`npm run bench -- journal [--entries N] [--notes N] [--runs N]`):
 *   - open a client's journal page: `journal.list` (50 newest) of a client with 5,000 entries,
 *     a different client each run, so each open also queues its access-log read event;
 *   - day-note search over 1M notes: `daynotes.search` (FTS5) for a word in ~0.1 % of the notes;
 *   - save an entry: `journal.create` until the reply (the local commit: record + outbox, fsync).
 * Medians; goals < 20 ms, < 50 ms, < 10 ms. The server is embedded PGlite with the demo data, the
 * card the in-process software card; the store is generated first (1M notes take a few minutes;
 * `--notes 100000` for a quick run). Nothing is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Author, Change, PermittedUnit } from '#contract';
import { createWorkstation } from '../main/app';
import { cardAccessOver } from '../main/session/card-access';
import { DevKeyFileVault, openLocalStore } from '../main/store';
import type { WorkerStore } from '../main/store/worker-client';
import { DemoInProcessReader, openCardFile } from '../native/softcard';
import { migrate, openPglite, type Db } from '../server/db';
import { seedDemoData } from '../server/demo';
import { writeCardFile } from '../tools/card';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import { rng, uuid } from './generated';
import { arg, percentile, report } from './report';
import { startBenchServer } from './server';

const BENCH = 'journal';
const HSA = 'SE2321000131-P000000000103';
export const RARE = 'tandläkarbesök';
const WORDS = 'brukaren åt frukost lunch middag promenad dusch medicin sömn vilade läste tidningen hjälp med påklädning städning tvätt inköp apoteket larmet anhöriga ringde mådde bra trött orolig glad'.split(' ');


/**
 * The journal benchmarks' data, in bulk-load batches of 20,000: `clients` clients (uuid(2, c),
 * "Bänk Brukare<c>", in the units in turn) with `entriesPerClient` journal entries each over the
 * last 400 days, then `notes` day notes over the last 80 days (inside the retention), the word
 * `RARE` in 0.1 % of them. Seeded: the same on every run.
 */
export function* generate(units: PermittedUnit[], clients: number, entriesPerClient: number, notes: number): Generator<Change[]> {
  const r = rng(42);
  const sentence = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(' ');
  const author: Author = { staffId: uuid(9, 1), hsaId: 'SE2321000131-P000000009999', name: 'Personal Bänk', title: 'Undersköterska' };
  const unitOf = (c: number) => units[c % units.length]!.unitId;
  let seq = 0;
  const batch: Change[] = [];
  const t0 = Date.now() - 400 * 86_400_000;
  for (let c = 0; c < clients; c++) {
    const record = { id: uuid(2, c), unitId: unitOf(c), personnummer: `19400101${String(c).padStart(4, '0')}`, givenName: 'Bänk', familyName: `Brukare${c}` };
    batch.push({ seq: ++seq, op: 'upsert', type: 'client', id: record.id, unitId: record.unitId, record });
    for (let i = 0; i < entriesPerClient; i++) {
      const at = t0 + Math.floor(r() * 400 * 86_400_000);
      const id = uuid(3, c * entriesPerClient + i);
      const e = { id, clientId: record.id, unitId: record.unitId, eventDate: new Date(at).toISOString().slice(0, 10), text: sentence(10 + Math.floor(r() * 20)), lifeArea: null, assignmentId: null, author, createdAt: new Date(at + 3_600_000).toISOString(), erroneous: null, correctsId: null };
      batch.push({ seq: ++seq, op: 'upsert', type: 'journal_entry', id, unitId: record.unitId, record: e });
      if (batch.length >= 20_000) yield batch.splice(0);
    }
  }
  // Day notes within the last 80 days (inside the retention), a rare word in 0.1 %.
  const n0 = Date.now() - 80 * 86_400_000;
  for (let i = 0; i < notes; i++) {
    const c = Math.floor(r() * clients);
    const words = sentence(6 + Math.floor(r() * 10));
    const record = { id: uuid(4, i), unitId: unitOf(c), clientId: r() < 0.5 ? uuid(2, c) : null, text: i % 1000 === 500 ? `${words} ${RARE}` : words, author, createdAt: new Date(n0 + Math.floor((i / Math.max(1, notes)) * 79 * 86_400_000)).toISOString(), summarisedAt: null };
    batch.push({ seq: ++seq, op: 'upsert', type: 'day_note', id: record.id, unitId: record.unitId, record });
    if (batch.length >= 20_000) yield batch.splice(0);
  }
  if (batch.length) yield batch;
}

/** The user's units as the server will scope them, so the first pull keeps data generated in them. */
export async function unitsOf(db: Db, hsaId: string): Promise<PermittedUnit[]> {
  const { rows } = await db.query<{ id: string; name: string }>(
    `SELECT u.id, u.name FROM units u JOIN permissions p ON p.unit_id = u.id JOIN staff s ON s.id = p.staff_id WHERE s.hsa_id = $1 GROUP BY u.id, u.name ORDER BY u.name`, [hsaId]);
  return rows.map((u) => ({ unitId: u.id, name: u.name, validFrom: '2020-01-01', validTo: null }));
}

export async function run(args: string[]): Promise<void> {
  const entries = arg(args, 'entries', 5_000);
  const notes = arg(args, 'notes', 1_000_000);
  const runs = Math.max(5, arg(args, 'runs', 30));
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-journal-'));
  const db = await openPglite({});
  await migrate(db);
  await seedDemoData(db);
  const pki = await generateTestPki();
  const { app, url: origin } = await startBenchServer(db, pki);
  try {
    const units = await unitsOf(db, HSA);
    const clients = runs + 5;
    const vault = new DevKeyFileVault(dir);
    const store = (await openLocalStore({ dataDir: dir, hsaId: HSA, vault })) as Awaited<ReturnType<typeof openLocalStore>> & Pick<WorkerStore, 'bulkLoad'>;
    const g0 = performance.now();
    let n = 0;
    for (const changes of generate(units, clients, entries, notes)) n += await store.bulkLoad({ units, changes, cursors: {} });
    await store.close();
    console.error(`generated ${n} records (${clients} clients × ${entries} entries, ${notes} day notes) in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

    const reader = new DemoInProcessReader('Bänkläsare');
    const card = await writeCardFile(path.join(dir, 'sara.json'), await issuePersonCard(pki, { hsaId: HSA, givenName: 'Sara', familyName: 'Nyström', pin: '123456' }));
    reader.insert(await openCardFile(card));
    const ws = await createWorkstation({ host: 'browser', serverUrl: origin, dataDir: dir, card: cardAccessOver(reader), vault, workstationName: 'bench' });
    const call = async (method: string, input: unknown) => {
      const r = await ws.dispatch(method, input);
      if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      return r.value;
    };
    await call('session.login', { pin: '123456' });
    await call('sync.now', {});
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      const out = await fn();
      return { ms: performance.now() - t, out };
    };
    const open: number[] = [];
    const search: number[] = [];
    const save: number[] = [];
    let hits = 0;
    for (let i = 0; i < runs + 3; i++) {
      const clientId = uuid(2, i);
      const o = await time(() => call('journal.list', { clientId, limit: 50 }));
      if ((o.out as unknown[]).length !== 50) throw new Error('the journal page is not full');
      const s = await time(() => call('daynotes.search', { query: RARE, limit: 50 }));
      hits = (s.out as unknown[]).length;
      const w = await time(() => call('journal.create', { clientId, eventDate: new Date().toISOString().slice(0, 10), text: `Bänkanteckning ${i}: brukaren åt frukost och tog en promenad.` }));
      if (i >= 3) {
        open.push(o.ms);
        search.push(s.ms);
        save.push(w.ms);
      }
    }
    const extra = { runs, entries, notes };
    report(BENCH, 'open_journal_page_ms_p50', percentile(open, 50), 'ms', { ...extra, goal_ms: 20 });
    report(BENCH, 'open_journal_page_ms_p95', percentile(open, 95), 'ms', extra);
    report(BENCH, 'day_note_search_ms_p50', percentile(search, 50), 'ms', { ...extra, hits, goal_ms: 50 });
    report(BENCH, 'day_note_search_ms_p95', percentile(search, 95), 'ms', extra);
    report(BENCH, 'save_entry_local_ms_p50', percentile(save, 50), 'ms', { ...extra, goal_ms: 10 });
    report(BENCH, 'save_entry_local_ms_p95', percentile(save, 95), 'ms', extra);
    await ws.close();
  } finally {
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
