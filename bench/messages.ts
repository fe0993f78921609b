/**
 * Secure messages (`npm run bench -- messages [--threads N] [--messages N] [--runs N] [--arrivals N]`),
 * docs/messages.md:
 *   - in the encrypted store, 100k messages in 10k threads (one of them 200 messages long), read
 *     through the store's worker as the service reads them: open the message list (the 50 newest
 *     threads with their unread counts, goal p50 < 20 ms), open the 200-message thread (< 20 ms),
 *     search in one's own threads for a word in ~0.1 % of the messages (< 50 ms);
 *   - arrival: a message the case officer sends, from the server's accepting it (its answer) to
 *     the thread being in the workstation's list (SSE → pull → store → data.changed → list),
 *     goal p50 < 500 ms. Server (embedded PGlite) and workstation in this one process, the card in
 *     the in-process demo reader.
 * The machine calibration is printed beside the figures. Nothing is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Author, Change, LocalThreadSummary, PermittedUnit } from '#contract';
import { createWorkstation } from '../main/app';
import { cardAccessOver } from '../main/session/card-access';
import { DevKeyFileVault, openLocalStore } from '../main/store';
import type { WorkerStore } from '../main/store/worker-client';
import { DemoInProcessReader, openCardFile } from '../native/softcard';
import { migrate, openPglite } from '../server/db';
import { seedDemoData } from '../server/demo';
import { writeCardFile } from '../tools/card';
import { officerLogin } from '../tools/officer/api';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import { rng, uuid } from './generated';
import { arg, calibrationMs, percentile, report } from './report';
import { startBenchServer } from './server';

const BENCH = 'messages';
const RARE = 'rullstolsramp';
const WORDS = 'larmet brukaren nyckeln schemat besöket medicinen apoteket hemtjänsten anhöriga ringde kvällen morgonen tvätten inköpen handläggaren beslutet insatsen'.split(' ');
const ME = uuid(9, 0);
const HSA = 'SE2321000131-P000000000999';

function* batches(threads: number, messages: number, units: number): Generator<Change[]> {
  const r = rng(16);
  const authors: Author[] = Array.from({ length: 20 }, (_, i) => ({ staffId: uuid(9, i), hsaId: `SE2321000131-P${String(i).padStart(12, '0')}`, name: `Personal ${i}`, title: 'Undersköterska' }));
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let seq = 0;
  let batch: Change[] = [];
  const unitOf = (t: number) => uuid(1, t % units);
  for (let t = 0; t < threads; t++) {
    const author = authors[t % authors.length]!;
    const record = {
      id: uuid(5, t), unitId: unitOf(t), subject: `Ärende ${t}`, clientId: null, assignmentId: null, toUnit: true,
      participants: [{ staffId: author.staffId, name: author.name, title: author.title }], author, createdAt: new Date(t0 + t * 60_000).toISOString(),
    };
    batch.push({ seq: ++seq, op: 'upsert', type: 'message_thread', id: record.id, unitId: record.unitId, record });
  }
  // Thread 0 has 200 messages; the rest are spread over the others.
  const long = 200;
  for (let i = 0; i < messages; i++) {
    const t = i < long ? 0 : 1 + ((i - long) % (threads - 1));
    const author = authors[(i * 7) % authors.length]!;
    const words = Array.from({ length: 8 + Math.floor(r() * 20) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
    const record = {
      id: uuid(6, i), threadId: uuid(5, t), unitId: unitOf(t), text: i % 1000 === 500 ? `${words} ${RARE}` : words, author,
      createdAt: new Date(t0 + threads * 60_000 + i * 1_000).toISOString(),
      reads: r() < 0.5 && author.staffId !== ME ? [{ staffId: ME, name: 'Personal 0', readAt: new Date(t0 + threads * 60_000 + i * 1_000 + 5_000).toISOString() }] : [],
    };
    batch.push({ seq: ++seq, op: 'upsert', type: 'message', id: record.id, unitId: record.unitId, record });
    if (batch.length >= 20_000) yield batch.splice(0);
  }
  if (batch.length) yield batch;
  batch = [];
}

async function storeFigures(args: string[]): Promise<void> {
  const threads = arg(args, 'threads', 10_000);
  const messages = arg(args, 'messages', 100_000);
  const runs = Math.max(5, arg(args, 'runs', 40));
  const units = 5;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-messages-'));
  try {
    const store = (await openLocalStore({ dataDir: dir, hsaId: HSA, vault: new DevKeyFileVault(dir) })) as Awaited<ReturnType<typeof openLocalStore>> & Pick<WorkerStore, 'bulkLoad'>;
    const unitList: PermittedUnit[] = Array.from({ length: units }, (_, i) => ({ unitId: uuid(1, i), name: `Enhet ${i}`, validFrom: '2025-01-01', validTo: null }));
    const t0 = performance.now();
    let n = 0;
    for (const changes of batches(threads, messages, units)) n += await store.bulkLoad({ units: unitList, changes, cursors: {} });
    report(BENCH, 'generate_s', (performance.now() - t0) / 1000, 's', { records: n, threads, messages });
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      const out = await fn();
      return { ms: performance.now() - t, out };
    };
    const list: number[] = [];
    const thread: number[] = [];
    const search: number[] = [];
    let shown = 0;
    let longest = 0;
    let hits = 0;
    for (let i = 0; i < runs + 3; i++) {
      const a = await time(() => store.read('message', 'threads', { me: ME, limit: 50 }));
      const b = await time(() => store.read('message', 'thread', { threadId: uuid(5, 0) }));
      const c = await time(() => store.read('message', 'threads', { me: ME, query: RARE, limit: 50 }));
      if (i < 3) continue; // warm-up: statements prepared, pages cached
      list.push(a.ms);
      thread.push(b.ms);
      search.push(c.ms);
      shown = (a.out as LocalThreadSummary[]).length;
      longest = (b.out as { messages: unknown[] } | null)?.messages.length ?? 0;
      hits = (c.out as LocalThreadSummary[]).length;
    }
    const unread = await time(() => store.read('message', 'unreadTotal', { me: ME }));
    await store.close();
    report(BENCH, 'open_list_ms_p50', percentile(list, 50), 'ms', { goal: '< 20', threads: shown, p95: Math.round(percentile(list, 95) * 100) / 100, runs });
    report(BENCH, 'open_thread_200_ms_p50', percentile(thread, 50), 'ms', { goal: '< 20', messages: longest, p95: Math.round(percentile(thread, 95) * 100) / 100, runs });
    report(BENCH, 'search_ms_p50', percentile(search, 50), 'ms', { goal: '< 50', hits, p95: Math.round(percentile(search, 95) * 100) / 100, runs });
    report(BENCH, 'unread_total_ms', unread.ms, 'ms', { unread: unread.out });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function arrivalFigures(args: string[]): Promise<void> {
  const rounds = Math.max(3, arg(args, 'arrivals', 20));
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-messages-arrival-'));
  const db = await openPglite({});
  try {
    await migrate(db);
    await seedDemoData(db);
    const pki = await generateTestPki();
    const anna = await writeCardFile(path.join(dir, 'anna.json'), await issuePersonCard(pki, { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '123456' }));
    const mariaCard = await issuePersonCard(pki, { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' });
    const server = await startBenchServer(db, pki);
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM units WHERE name = 'Hemtjänst Majorna'`);
    const unitId = rows[0]!.id;
    const reader = new DemoInProcessReader('Bänkläsare');
    reader.insert(await openCardFile(anna));
    const ws = await createWorkstation({ host: 'browser', serverUrl: server.url, dataDir: path.join(dir, 'ws'), card: cardAccessOver(reader), workstationName: 'bench-messages' });
    const changed: (() => void)[] = [];
    ws.onEvent((name, payload) => {
      if (name === 'data.changed' && (payload as { kinds: string[] }).kinds.includes('message')) changed.splice(0).forEach((f) => f());
    });
    const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
      const r = await ws.dispatch(method, input);
      if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      return r.value as T;
    };
    await call('session.login', { pin: '123456' });
    await call('sync.now');
    const officer = (await officerLogin({ server: server.url, card: mariaCard })).api;
    const inList = async (id: string) => (await call<LocalThreadSummary[]>('messages.list', { limit: 20 })).some((t) => t.id === id);
    const samples: number[] = [];
    for (let i = 0; i < rounds + 2; i++) {
      const sent = await officer.messages.start({ unitId, subject: `Bänkmeddelande ${i}`, text: 'Ett meddelande om larmet.' });
      const accepted = performance.now();
      while (!(await inList(sent.thread.id))) await new Promise<void>((resolve) => changed.push(resolve));
      if (i >= 2) samples.push(performance.now() - accepted); // the first two warm up the stream and the statements
    }
    report(BENCH, 'arrival_ms_p50', percentile(samples, 50), 'ms', { goal: '< 500', p95: Math.round(percentile(samples, 95) * 100) / 100, runs: samples.length, db: 'pglite', from: 'server answered the officer → thread in the workstation list' });
    await ws.close();
    await server.app.close();
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now' });
  await storeFigures(args);
  await arrivalFigures(args);
  report(BENCH, 'machine_calibration_ms_after', calibrationMs(), 'ms', { what: 'the same, after the run' });
}
