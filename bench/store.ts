/**
 * The encrypted local store at full size: 10k clients, 1M journal entries, 1M day notes
 * (`npm run bench -- store [--clients N] [--entries N] [--notes N] [--units N] [--runs N]`).
 * Generates the data into a SQLCipher store in os.tmpdir() (and the same data into a plain
 * SQLite file), then measures, through the worker as the services call it:
 *   - first inbox-like page: the first 50 clients of a unit in name order (the real inbox of
 *     assignments comes in a later issue; this is its stand-in),
 *   - one client's journal page: the 50 newest entries,
 *   - day-note full-text search for a word in ~0.1 % of the notes, 50 hits,
 * the encrypted/plain ratio of the whole query workload (the two stores queried in alternation,
 * see workload), and the longest main event-loop stall while the queries run.
 * Goals: < 20 ms, < 5 ms, < 50 ms (medians), ratio ≤ 1.3, stall < 16 ms.
 * Nothing is kept: the files are deleted at the end.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Author, Change, PermittedUnit } from '#contract';
import { DevKeyFileVault, localStoreFile, openLocalStore } from '../main/store';
import type { LocalStore } from '../main/store/types';
import { WorkerStore } from '../main/store/worker-client';
import { rng, uuid } from './generated';
import { percentile, report, stallProbe, arg } from './report';

const BENCH = 'store';
const RARE = 'tandläkarbesök';
const WORDS = (
  'brukaren åt frukost lunch middag kvällsmat promenad dusch medicin sömn vilade läste tidningen pratade om barnbarnen ' +
  'hjälp med påklädning toalettbesök städning tvätt inköp apoteket larmet testat anhöriga ringde mådde bra trött orolig ' +
  'glad smärta i knät blodtryck mättes sår omlagt kompressionsstrumpor duschpall rullator trapphuset brevlådan posten'
).split(' ');


interface Sizes {
  clients: number;
  entries: number;
  notes: number;
  units: number;
}

function* batches(s: Sizes, batchSize: number): Generator<Change[]> {
  // Seeded: the encrypted and the plain file get byte-for-byte the same records.
  const r = rng(42);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)]!;
  const sentence = (n: number) => Array.from({ length: n }, pick).join(' ');
  const authors: Author[] = Array.from({ length: 20 }, (_, i) => ({ staffId: uuid(9, i), hsaId: `SE2321000131-P${String(i).padStart(12, '0')}`, name: `Personal ${i}`, title: 'Undersköterska' }));
  const unitOf = (client: number) => uuid(1, client % s.units);
  const t0 = Date.parse('2023-01-01T00:00:00Z');
  let seq = 0;
  const batch: Change[] = [];
  const push = (c: Change) => {
    batch.push(c);
    return batch.length >= batchSize;
  };
  const given = ['Anna', 'Bo', 'Cecilia', 'David', 'Eva', 'Folke', 'Greta', 'Hans', 'Ingrid', 'Jan', 'Karin', 'Lars', 'Märta', 'Nils', 'Olle', 'Åsa'];
  const family = ['Andersson', 'Berg', 'Carlsson', 'Dahl', 'Ek', 'Falk', 'Gustafsson', 'Holm', 'Lind', 'Nyström', 'Åberg', 'Öberg', 'Ärlig', 'Sjöberg'];
  for (let i = 0; i < s.clients; i++) {
    const id = uuid(2, i);
    const record = {
      id,
      unitId: unitOf(i),
      personnummer: `19${String(20 + (i % 80)).padStart(2, '0')}0101${String(i % 10000).padStart(4, '0')}`,
      givenName: given[Math.floor(r() * given.length)]!,
      familyName: `${family[Math.floor(r() * family.length)]!}${i}`,
    };
    if (push({ seq: ++seq, op: 'upsert', type: 'client', id, unitId: record.unitId, record })) yield batch.splice(0);
  }
  // Entries grouped by client and notes in time order, as a sync delivers them unit by unit and
  // in sequence; it keeps generation within minutes (index inserts mostly append).
  const perClient = Math.max(1, Math.ceil(s.entries / s.clients));
  for (let i = 0; i < s.entries; i++) {
    const id = uuid(3, i);
    const client = Math.floor(i / perClient) % s.clients;
    const at = t0 + Math.floor(r() * 500 * 86_400_000);
    const record = {
      id,
      clientId: uuid(2, client),
      unitId: unitOf(client),
      eventDate: new Date(at).toISOString().slice(0, 10),
      text: sentence(8 + Math.floor(r() * 12)),
      lifeArea: null,
      assignmentId: null,
      author: authors[i % authors.length]!,
      createdAt: new Date(at + 3_600_000).toISOString(),
      erroneous: null,
      correctsId: null,
    };
    if (push({ seq: ++seq, op: 'upsert', type: 'journal_entry', id, unitId: record.unitId, record })) yield batch.splice(0);
  }
  const noteSpanMs = 90 * 86_400_000;
  for (let i = 0; i < s.notes; i++) {
    const id = uuid(4, i);
    const client = Math.floor(r() * s.clients);
    const words = sentence(6 + Math.floor(r() * 10));
    const record = {
      id,
      unitId: unitOf(client),
      clientId: r() < 0.5 ? uuid(2, client) : null,
      text: i % 1000 === 500 ? `${words} ${RARE}` : words,
      author: authors[i % authors.length]!,
      createdAt: new Date(t0 + Math.floor((i / Math.max(1, s.notes)) * noteSpanMs)).toISOString(),
      summarisedAt: null,
    };
    if (push({ seq: ++seq, op: 'upsert', type: 'day_note', id, unitId: record.unitId, record })) yield batch.splice(0);
  }
  if (batch.length) yield batch;
}

type BenchStore = LocalStore & Pick<WorkerStore, 'bulkLoad'>;

async function openStore(dir: string, encrypted: boolean): Promise<BenchStore> {
  if (encrypted) return (await openLocalStore({ dataDir: dir, hsaId: 'SE2321000131-P000000000999', vault: new DevKeyFileVault(dir) })) as BenchStore;
  return WorkerStore.open(path.join(dir, 'plain.db'), null);
}

const dirSize = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .reduce((n, d) => n + statSync(path.join(d.parentPath, d.name)).size, 0);

interface Figures {
  inbox: number[];
  journal: number[];
  search: number[];
  totalMs: number;
  stallMs: number;
  searchHits: number;
}

type Mode = 'encrypted' | 'plain';
const emptyFigures = (): Figures => ({ inbox: [], journal: [], search: [], totalMs: 0, stallMs: 0, searchHits: 0 });

/**
 * The query workload on both stores at once, interleaved: each round picks a unit and a client
 * and runs the three queries on one store and then on the other, which store goes first
 * alternating from round to round. Run one after the other, the second store's pass had the
 * main thread's compiled code, the machine's quieter or busier minute and the OS cache to itself;
 * interleaved, both see the same conditions, and each keeps its own cold SQLite cache.
 */
async function workload(stores: Record<Mode, BenchStore>, s: Sizes, runs: number, warmUp = 3): Promise<Record<Mode, Figures>> {
  const r = rng(7);
  const units = (await stores.encrypted.units()).map((u) => u.unitId);
  const f: Record<Mode, Figures> = { encrypted: emptyFigures(), plain: emptyFigures() };
  const time = async (into: number[] | null, total: Figures | null, fn: () => Promise<unknown>) => {
    const t = performance.now();
    const out = await fn();
    const ms = performance.now() - t;
    if (into) into.push(ms);
    if (total) total.totalMs += ms;
    return out;
  };
  const once = async (mode: Mode, unitId: string, clientId: string, measured: boolean) => {
    const store = stores[mode];
    const fig = measured ? f[mode] : null;
    await time(fig?.inbox ?? null, fig, () => store.clients({ unitId, limit: 50 }));
    await time(fig?.journal ?? null, fig, () => store.journal({ clientId, limit: 50 }));
    const hits = (await time(fig?.search ?? null, fig, () => store.searchDayNotes({ query: RARE, limit: 50 }))) as unknown[];
    f[mode].searchHits = hits.length;
  };
  const round = async (i: number, measured: boolean) => {
    const unitId = units[Math.floor(r() * units.length)]!;
    const clientId = uuid(2, Math.floor(r() * s.clients));
    const order: Mode[] = i % 2 === 0 ? ['encrypted', 'plain'] : ['plain', 'encrypted'];
    for (const mode of order) await once(mode, unitId, clientId, measured);
  };
  for (let i = 0; i < warmUp; i++) await round(i, false); // warm-up: statements prepared, schema loaded
  const probe = stallProbe();
  for (let i = 0; i < runs; i++) await round(i, true);
  f.encrypted.stallMs = f.plain.stallMs = probe.stop().maxMs;
  return f;
}

async function generate(dir: string, encrypted: boolean, s: Sizes): Promise<number> {
  const store = await openStore(dir, encrypted);
  const units: PermittedUnit[] = Array.from({ length: s.units }, (_, i) => ({ unitId: uuid(1, i), name: `Enhet ${i}`, validFrom: '2023-01-01', validTo: null }));
  const t0 = performance.now();
  let n = 0;
  let inWorker = 0;
  for (const changes of batches(s, 20_000)) {
    const t = performance.now();
    n += await store.bulkLoad({ units, changes, cursors: {} });
    inWorker += performance.now() - t;
  }
  const s0 = (performance.now() - t0) / 1000;
  await store.close();
  console.error(`${encrypted ? 'encrypted' : 'plain'}: ${n} records in ${s0.toFixed(1)} s (${(inWorker / 1000).toFixed(1)} s waiting on the worker), ${(dirSize(dir) / 1e6).toFixed(0)} MB`);
  return s0;
}

export async function run(args: string[]): Promise<void> {
  const s: Sizes = { clients: arg(args, 'clients', 10_000), entries: arg(args, 'entries', 1_000_000), notes: arg(args, 'notes', -1), units: arg(args, 'units', 50) };
  if (s.notes < 0) s.notes = s.entries;
  s.units = Math.max(1, Math.min(s.units, s.clients));
  const runs = Math.max(5, arg(args, 'runs', 40));
  const size = { clients: s.clients, entries: s.entries, notes: s.notes };
  const dirs = { encrypted: mkdtempSync(path.join(tmpdir(), 'bench-store-encrypted-')), plain: mkdtempSync(path.join(tmpdir(), 'bench-store-plain-')) };
  let results: Record<Mode, Figures>;
  let warm: Record<Mode, Figures>;
  try {
    for (const mode of ['encrypted', 'plain'] as const) report(BENCH, `generate_${mode}_s`, await generate(dirs[mode], mode === 'encrypted', s), 's', size);
    // Reopened: SQLite's page cache starts cold (each page read from the file is decrypted again).
    const stores = { encrypted: await openStore(dirs.encrypted, true), plain: await openStore(dirs.plain, false) };
    results = await workload(stores, s, runs);
    // The same queries again (same seed): the pages they need are in SQLite's cache now.
    warm = await workload(stores, s, runs, 0);
    await stores.encrypted.close();
    await stores.plain.close();
    if (!statSync(localStoreFile(dirs.encrypted, 'SE2321000131-P000000000999')).isFile()) throw new Error('the encrypted store is missing');
  } finally {
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  }
  const enc = results.encrypted;
  const plain = results.plain;
  const med = (xs: number[]) => percentile(xs, 50);
  const round = (x: number) => Math.round(x * 100) / 100;
  report(BENCH, 'first_inbox_page_ms_p50', med(enc.inbox), 'ms', { goal: '< 20', p95: round(percentile(enc.inbox, 95)), note: 'first 50 clients of a unit by name; the assignment inbox comes later', ...size });
  report(BENCH, 'journal_page_ms_p50', med(enc.journal), 'ms', { goal: '< 5', p95: round(percentile(enc.journal, 95)), ...size });
  report(BENCH, 'day_note_search_ms_p50', med(enc.search), 'ms', { goal: '< 50', p95: round(percentile(enc.search, 95)), hits: enc.searchHits, ...size });
  report(BENCH, 'encrypted_vs_plain_ratio', enc.totalMs / plain.totalMs, 'ratio', {
    goal: '<= 1.3',
    note: 'first pass after opening: every page read is decrypted and its HMAC checked',
    plain_ms_p50: { inbox: round(med(plain.inbox)), journal: round(med(plain.journal)), search: round(med(plain.search)) },
    encrypted_ms_total: round(enc.totalMs),
    plain_ms_total: round(plain.totalMs),
    ...size,
  });
  report(BENCH, 'encrypted_vs_plain_ratio_warm', warm.encrypted.totalMs / warm.plain.totalMs, 'ratio', {
    note: 'the same queries repeated: pages in the SQLite cache, little to decrypt',
    encrypted_ms_p50: { inbox: round(med(warm.encrypted.inbox)), journal: round(med(warm.encrypted.journal)), search: round(med(warm.encrypted.search)) },
    plain_ms_p50: { inbox: round(med(warm.plain.inbox)), journal: round(med(warm.plain.journal)), search: round(med(warm.plain.search)) },
    ...size,
  });
  report(BENCH, 'main_loop_max_stall_ms', Math.max(enc.stallMs, plain.stallMs, warm.encrypted.stallMs, warm.plain.stallMs), 'ms', { goal: '< 16', during: 'queries', ...size });
}
