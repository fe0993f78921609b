import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '#contract';
import { DevKeyFileVault, openLocalStore, type LocalStore } from '../../../main/store';
import type { WorkerStore } from '../../../main/store/worker-client';
import { author, client, tempDir, unit } from './fixtures';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const open = (hsaId = 'SE2321000131-P000000000300') => openLocalStore({ dataDir: tmp.dir, hsaId, vault: new DevKeyFileVault(tmp.dir) });

describe('open and close', () => {
  it('close is idempotent and later calls are refused with SESSION_LOCKED', async () => {
    const store = await open();
    await Promise.all([store.close(), store.close()]);
    await store.close();
    await expect(store.units()).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
  });

  it('close during in-flight queries: every call settles, nothing crashes, and the store reopens', async () => {
    const store = await open();
    const u = unit('Hemtjänst');
    await store.applyPull({ units: [u], changes: [], cursors: {} });
    const calls = Array.from({ length: 50 }, (_, i) => (i % 2 ? store.units() : store.clients({ limit: 10, search: 'a' })));
    const closing = store.close();
    const late = store.outboxCount();
    const settled = await Promise.allSettled([...calls, late]);
    await closing;
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'SESSION_LOCKED' });
    }
    expect(settled.at(-1)).toMatchObject({ status: 'rejected' });
    // Calls sent before close were answered before the database closed.
    expect(settled.slice(0, 50).every((s) => s.status === 'fulfilled')).toBe(true);

    const again = await open();
    expect(await again.units()).toEqual([u]);
    await again.close();
  });

  it('close while a long write is in progress: the write either completes or is rolled back, the file stays usable', async () => {
    const store = (await open('SE2321000131-P000000000301')) as LocalStore & Pick<WorkerStore, 'bulkLoad'>;
    const u = unit('Stor enhet');
    const changes: Change[] = Array.from({ length: 20_000 }, (_, i) => {
      const c = client(u.unitId, { givenName: `Namn${i}` });
      return { seq: i + 1, op: 'upsert', type: 'client', id: c.id, unitId: u.unitId, record: c };
    });
    const write = store.bulkLoad({ units: [u], changes, cursors: { [u.unitId]: changes.length } }).then(
      () => 'done',
      (e: unknown) => e,
    );
    await store.close();
    const outcome = await write;
    const again = await open('SE2321000131-P000000000301');
    const n = (await again.clients({ limit: 50_000 })).length;
    expect(n).toBe(outcome === 'done' ? 20_000 : 0); // all or nothing
    const m = { mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'day_note.create' as const, record: { id: randomUUID(), unitId: u.unitId, clientId: null, text: 'Efter' } };
    if (n > 0) {
      await again.enqueue(m, author);
      expect(await again.outboxCount()).toBe(1);
    }
    await again.close();
  }, 60_000); // 20,000 rows written and read back: seconds on a busy two-core machine, not a timing figure
});

describe('SQL off the main thread', () => {
  let store: LocalStore & Pick<WorkerStore, 'bulkLoad'>;
  const u = unit('Belastning');
  beforeAll(async () => {
    store = (await open('SE2321000131-P000000000302')) as typeof store;
    const words = ['frukost', 'promenad', 'dusch', 'medicin', 'lunch', 'middag', 'anhöriga', 'sömn'];
    for (let b = 0; b < 12; b++) {
      const changes: Change[] = Array.from({ length: 5_000 }, (_, i) => {
        const id = randomUUID();
        const n = b * 5_000 + i;
        return {
          seq: n + 1,
          op: 'upsert',
          type: 'day_note',
          id,
          unitId: u.unitId,
          record: { id, unitId: u.unitId, clientId: null, text: `Notering ${n}: ${words[n % 8]} vanlig ${words[(n * 7) % 8]} text`, author, createdAt: new Date(1.7e12 + n * 60_000).toISOString(), summarisedAt: null },
        };
      });
      await store.bulkLoad({ units: [u], changes, cursors: {} });
    }
  }, 120_000);
  afterAll(() => store.close());

  it('the main event loop keeps turning while a heavy query runs in the worker', async () => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 2);
    h.enable();
    const t0 = performance.now();
    // "vanlig" is in every note: each search sorts all 60,000 matches by date in the worker.
    for (let i = 0; i < 5; i++) expect(await store.searchDayNotes({ query: 'vanlig', limit: 50 })).toHaveLength(50);
    const busy = performance.now() - t0;
    h.disable();
    clearInterval(probe);
    const stallMs = h.max / 1e6;
    console.log(JSON.stringify({ busyMs: Math.round(busy), ticks, maxGapMs: Math.round(maxGap), eventLoopMaxDelayMs: Math.round(stallMs) }));
    expect(busy).toBeGreaterThan(100); // the worker really was busy…
    // …and the main thread kept running timers all along. Were the SQL on the main thread, timers
    // and the loop would stop for a whole search (busy / 5) at least. The bounds are a fraction of
    // that, so they keep their meaning on a busy machine, where the searches and the scheduler's
    // own pauses both grow (beside a CPU-bound load at load 28–34 the longest stall was 87 ms of
    // 3.5 s and 129 ms of 17.9 s, above the old absolute 50 ms and busy / 10 ticks; the 16 ms frame
    // is a figure for a benchmark, not a test).
    // Half a search: a quarter still failed once at load ~10 (scheduler pauses are not the SQL).
    const halfSearch = busy / 5 / 2;
    expect(ticks).toBeGreaterThanOrEqual(20);
    expect(maxGap).toBeLessThan(halfSearch);
    expect(stallMs).toBeLessThan(halfSearch);
  });
});

describe('scheduling priority', () => {
  /** nice of each of this process's threads (field 19 of /proc/self/task/<tid>/stat, after the parenthesised name). */
  const niceOfThreads = async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    return new Map(
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return [Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])] as const;
      }),
    );
  };

  it.runIf(process.platform === 'linux')('on Linux the store worker runs below the main thread’s priority, and the main thread keeps its own', async () => {
    const before = await niceOfThreads();
    const store = await open('SE2321000131-P000000000302');
    try {
      await store.units();
      const after = await niceOfThreads();
      const started = [...after].filter(([tid]) => !before.has(tid));
      expect(started.some(([, nice]) => nice === 10)).toBe(true);
      expect(after.get(process.pid)).toBe(before.get(process.pid));
    } finally {
      await store.close();
    }
  });
});
