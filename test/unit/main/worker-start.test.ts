import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DevKeyFileVault, openLocalStore } from '../../../main/store';
import { prestartStoreWorker } from '../../../main/store/worker-client';
import { hasSpare, prestartWorker, startWorker, takeWorker } from '../../../main/worker-start';
import { LIVE_WAIT_MS } from '../../support/wait';

/** Spare workers (main/worker-start.ts): booted ahead of a login, taken by the next start of their kind. */
const dir = mkdtempSync(path.join(tmpdir(), 'worker-start-'));
const entry = path.join(dir, 'echo.mjs');
writeFileSync(entry, "import { parentPort, threadId } from 'node:worker_threads';\nparentPort.on('message', () => parentPort.postMessage(threadId));\n");
const other = path.join(dir, 'other.mjs');
writeFileSync(other, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => parentPort.postMessage('other'));\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const started: Worker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.terminate()));
});
const keep = (w: Worker) => {
  started.push(w);
  return w;
};
const ask = (w: Worker) =>
  new Promise<unknown>((resolve) => {
    w.once('message', resolve);
    w.postMessage('?');
  });

describe('spare workers', () => {
  it('the next take of the kind gets the worker booted before it, for the same entry only; later takes start new ones', async () => {
    prestartWorker('echo', null, entry);
    const meanwhile = keep(startWorker(null, entry)); // started after the spare
    const taken = keep(takeWorker('echo', null, entry));
    expect(taken.threadId).toBeLessThan(meanwhile.threadId);
    expect(await ask(taken)).toBe(taken.threadId);
    const next = keep(takeWorker('echo', null, entry));
    expect(next.threadId).toBeGreaterThan(meanwhile.threadId);

    prestartWorker('echo', null, entry);
    const otherEntry = keep(takeWorker('echo', null, other)); // another entry: not the spare
    expect(await ask(otherEntry)).toBe('other');
    const spare = keep(takeWorker('echo', null, entry));
    expect(spare.threadId).toBeLessThan(otherEntry.threadId);
  });

  it('a spare that died is forgotten: the take starts a new worker', async () => {
    const exits = path.join(dir, 'exits.mjs');
    writeFileSync(exits, 'process.exit(0);\n');
    prestartWorker('dies', null, exits);
    // It has run and ended: wait for that state, not for a time (300 ms was too short at load 30).
    await vi.waitFor(() => expect(hasSpare('dies')).toBe(false), { timeout: LIVE_WAIT_MS, interval: 20 });
    const meanwhile = keep(startWorker(null, entry));
    const taken = keep(takeWorker('dies', null, exits));
    expect(taken.threadId).toBeGreaterThan(meanwhile.threadId);
  });

  it('a store opens in a prestarted store worker and works', async () => {
    prestartStoreWorker();
    const data = mkdtempSync(path.join(tmpdir(), 'worker-start-store-'));
    try {
      const store = await openLocalStore({ dataDir: data, hsaId: 'SE2321000131-P000000000103', vault: new DevKeyFileVault(data) });
      expect(await store.cursors()).toEqual({});
      await store.close();
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
