import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientRecord, EventName, StoreResyncResult, StoreStatus } from '#contract';
import type { LocalJournalEntry } from '#contract';
import { createWorkstation } from '../../../main/app';
import { cardAccessOver } from '../../../main/session/card-access';
import { DevKeyFileVault, localStoreFile } from '../../../main/store';
import { openDatabase } from '../../../main/store/connection';
import { SqlStore } from '../../../main/store/sql-store';
import type { Workstation } from '../../../main/workstation';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { canMakeImmutable, whileImmutable } from '../../support/immutable-dir';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';
import { fastSync, ok, waitSynced } from './helpers';

/**
 * A local store that cannot be read, for real: the workstation's SQLCipher file corrupted on disk
 * (or its key no longer unwrappable) → login → the store is 'unreadable' and every data call says
 * STORE_UNREADABLE → `store.resync` moves the files aside and a fresh store fills from the real
 * server on PostgreSQL. Writes that never reached the server stay in the file set aside, and open
 * with the `.key` beside it (the IT recovery path in docs/store.md).
 */
const HSA = 'SE2321000131-P000000000103';
let stack: Stack;
let sara: string;
const reader = new DemoInProcessReader('Testläsare');
const seen: { name: EventName; payload: unknown }[] = [];
const logLines: string[] = [];
let serverClientCount = 0;

const storeStatus = (ws: Workstation) => ok<StoreStatus>(ws, 'store.status');
const waitStore = (ws: Workstation, state: StoreStatus['state']) =>
  expect.poll(async () => (await storeStatus(ws)).state, { timeout: LIVE_WAIT_MS, interval: 20, message: `store ${state}` }).toBe(state);
const loggedEvents = (event: string) =>
  logLines.flatMap((l) => {
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      return o['event'] === event ? [o] : [];
    } catch {
      return [];
    }
  });
const storesDir = () => path.dirname(localStoreFile(stack.dataDir, HSA));
const snapshot = (dir: string) =>
  Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')]));
beforeAll(async () => {
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logLines.push(args.map(String).join(' ')));
  stack = await startStack('store-unreadable', { card: cardAccessOver(reader), sync: fastSync, serverSync: { coalesceMs: 20 } });
  stack.workstation.onEvent((name, payload) => seen.push({ name, payload }));
  sara = await stack.issueCard({ hsaId: HSA, givenName: 'Sara', familyName: 'Nyström' });
  reader.insert(await openCardFile(sara));
  const s = await ok<{ units: { unitId: string }[] }>(stack.workstation, 'session.login', { pin: '123456' });
  const { rows } = await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM clients WHERE unit_id = ANY($1::uuid[])', [s.units.map((u) => u.unitId)]);
  serverClientCount = rows[0]!.n;
  await waitSynced(stack.workstation);
  expect((await ok<ClientRecord[]>(stack.workstation, 'clients.list', { limit: 500 })).length).toBe(serverClientCount);
  expect(await storeStatus(stack.workstation)).toEqual({ state: 'open', cause: null, failure: null });
});
afterAll(async () => {
  await stack?.stop();
  vi.restoreAllMocks();
});

describe('a local store corrupted on disk', () => {
  let corrupt: Buffer;

  it('after logout the store closes; its first page is then overwritten on disk', async () => {
    await ok(stack.workstation, 'session.logout');
    await waitStore(stack.workstation, 'closed');
    const file = localStoreFile(stack.dataDir, HSA);
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(4096);
    randomBytes(4096).copy(bytes, 0);
    writeFileSync(file, bytes);
    corrupt = bytes;
  });

  it('login works; the store is unreadable, said by status, event and every data call — and logged without personal data', async () => {
    seen.length = 0;
    const s = await ok<{ state: string }>(stack.workstation, 'session.login', { pin: '123456' });
    expect(s.state).toBe('active');
    await waitStore(stack.workstation, 'unreadable');
    expect(await storeStatus(stack.workstation)).toEqual({ state: 'unreadable', cause: 'wrong_key_or_corrupt', failure: null });
    expect(seen.filter((e) => e.name === 'store.status').map((e) => (e.payload as StoreStatus).state)).toEqual(['opening', 'unreadable']);

    for (const method of ['clients.list', 'sync.status', 'daynotes.search', 'inbox.list']) {
      const input = method === 'daynotes.search' ? { query: 'frukost' } : {};
      const r = await stack.workstation.dispatch(method, input);
      expect(r.ok, method).toBe(false);
      if (!r.ok) expect(r.error, method).toMatchObject({ code: 'STORE_UNREADABLE', details: { cause: 'wrong_key_or_corrupt' } });
    }
    // The server side of the session is fine: units come from the server.
    expect((await stack.workstation.dispatch('units.list', {})).ok).toBe(true);

    const failed = loggedEvents('store.open_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.at(-1)).toMatchObject({ state: 'unreadable', code: 'STORE_UNREADABLE' });
    expect(JSON.stringify(failed)).not.toContain(HSA);
    expect(JSON.stringify(failed)).not.toContain(stack.dataDir);
  });

  it('store.resync is refused without an unlocked session, and nothing is moved', async () => {
    const before = readdirSync(storesDir()).sort();
    await ok(stack.workstation, 'session.logout');
    await waitStore(stack.workstation, 'closed');
    const locked = await stack.workstation.dispatch('store.resync', {});
    expect(locked.ok).toBe(false);
    if (!locked.ok) expect(['UNAUTHENTICATED', 'SESSION_LOCKED']).toContain(locked.error.code);
    expect(readdirSync(storesDir()).sort()).toEqual(before);
    await ok(stack.workstation, 'session.login', { pin: '123456' });
    await waitStore(stack.workstation, 'unreadable');
  });

  it.skipIf(!canMakeImmutable)('a resync that cannot move the files fails clearly: nothing moved or deleted, the store stays unreadable', async () => {
    const before = snapshot(storesDir());
    const r = await whileImmutable(storesDir(), () => stack.workstation.dispatch('store.resync', {}));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'INTERNAL', details: { reason: 'STORE_RESET_FAILED' } });
    expect(snapshot(storesDir())).toEqual(before);
    expect(await storeStatus(stack.workstation)).toEqual({ state: 'unreadable', cause: 'wrong_key_or_corrupt', failure: null });
    const data = await stack.workstation.dispatch('clients.list', {});
    expect(data.ok || data.error.code).toBe('STORE_UNREADABLE');
    const audit = loggedEvents('store.resync');
    expect(audit).toEqual([expect.objectContaining({ level: 'info', outcome: 'failed', code: 'INTERNAL', err: 'EPERM', keptAside: [] })]);
    expect(JSON.stringify(audit)).not.toContain(stack.dataDir);
  });

  it('resync: the old files are moved aside (byte for byte), a fresh store fills from the server, the audit line has no personal data', async () => {
    const file = localStoreFile(stack.dataDir, HSA);
    const r = await ok<StoreResyncResult>(stack.workstation, 'store.resync');
    expect(r.status).toEqual({ state: 'open', cause: null, failure: null });
    expect(r.keptAside.folder).toBe(storesDir());
    const db = r.keptAside.files.find((f) => /\.db\.unreadable-[\dT-]+Z$/.test(f))!;
    expect(db).toBeDefined();
    expect(r.keptAside.files).toContain(`${db}.key`);
    expect(readFileSync(path.join(r.keptAside.folder!, db)).equals(corrupt)).toBe(true);
    expect(existsSync(path.join(r.keptAside.folder!, `${db}.key`))).toBe(true);

    await waitSynced(stack.workstation);
    const clients = await ok<ClientRecord[]>(stack.workstation, 'clients.list', { limit: 500 });
    expect(clients.length).toBe(serverClientCount);
    const withJournal = await stack.db.query<{ client_id: string; n: number }>(
      'SELECT client_id::text, count(*)::int AS n FROM journal_entries WHERE client_id = ANY($1::uuid[]) GROUP BY client_id ORDER BY n DESC LIMIT 1',
      [clients.map((c) => c.id)],
    );
    const journalClient = withJournal.rows[0]!;
    const journal = await ok<LocalJournalEntry[]>(stack.workstation, 'journal.list', { clientId: journalClient.client_id, limit: 500 });
    expect(journal.length).toBe(journalClient.n);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).subarray(0, 4096).equals(corrupt.subarray(0, 4096))).toBe(false);

    const audit = loggedEvents('store.resync').filter((l) => l['outcome'] === 'ok');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ level: 'info', outcome: 'ok', cause: 'wrong_key_or_corrupt' });
    expect(audit[0]!['keptAside']).toEqual(r.keptAside.files);
    const line = JSON.stringify(audit[0]);
    expect(line).not.toContain(HSA);
    expect(line).not.toContain(stack.dataDir);
    expect(line).not.toContain('/');
    expect(line).not.toMatch(/Sara|Nyström/);
  });

  it('a second resync is refused: the store is readable, nothing more is moved', async () => {
    const before = readdirSync(storesDir()).sort();
    const r = await stack.workstation.dispatch('store.resync', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'STORE_NOT_UNREADABLE', state: 'open' } });
    expect(readdirSync(storesDir()).sort()).toEqual(before);
  });
});

describe('unsent writes in a store whose key can no longer be unwrapped', () => {
  let ws2: Workstation | undefined;
  const reader2 = new DemoInProcessReader('Testläsare 2');
  afterAll(async () => ws2?.close());

  it('stay in the file set aside, recoverable with its .key and the vault that wrapped it; the fresh store has what the server has', async () => {
    // Offline: the write is saved locally, in the outbox, never on the server.
    await stack.server.stop();
    const client = (await ok<ClientRecord[]>(stack.workstation, 'clients.list', { limit: 1 }))[0]!;
    const text = 'Skrivet utan anslutning, aldrig skickat.';
    const entry = await ok<LocalJournalEntry>(stack.workstation, 'journal.create', { clientId: client.id, eventDate: '2026-05-04', text });
    expect(entry.pending).toBe(true);
    await ok(stack.workstation, 'session.logout');
    await waitStore(stack.workstation, 'closed');

    // The workstation restarts after its OS key store lost the key (e.g. a recreated Windows profile).
    const vaultFile = path.join(stack.dataDir, 'dev-vault.key');
    const oldVaultKey = readFileSync(vaultFile);
    writeFileSync(vaultFile, randomBytes(32));
    await stack.server.start();
    ws2 = await createWorkstation({ host: 'browser', serverUrl: stack.serverUrl, dataDir: stack.dataDir, card: cardAccessOver(reader2), sync: fastSync, workstationName: 'e2e-store-unreadable-2' });
    reader2.insert(await openCardFile(sara));
    await ok(ws2, 'session.login', { pin: '123456' });
    await waitStore(ws2, 'unreadable');
    expect(await storeStatus(ws2)).toMatchObject({ state: 'unreadable', cause: 'key_not_unwrappable' });

    const r = await ok<StoreResyncResult>(ws2, 'store.resync');
    await waitSynced(ws2);
    expect((await ok<ClientRecord[]>(ws2, 'clients.list', { limit: 500 })).length).toBe(serverClientCount);
    expect((await ok<LocalJournalEntry[]>(ws2, 'journal.list', { clientId: client.id, limit: 500 })).some((e) => e.id === entry.id)).toBe(false);
    expect((await stack.db.query('SELECT 1 FROM journal_entries WHERE id = $1', [entry.id])).rows).toEqual([]);

    // IT's recovery: the vault's old key (here the dev vault file; with DPAPI the old Windows profile) + the .key set aside.
    const recovery = mkdtempSync(path.join(tmpdir(), 'store-recovery-'));
    writeFileSync(path.join(recovery, 'dev-vault.key'), oldVaultKey);
    const db = r.keptAside.files.find((f) => !/(\.key|-wal|-shm)$/.test(f))!;
    const key = await new DevKeyFileVault(recovery).unwrap(readFileSync(path.join(r.keptAside.folder!, `${db}.key`)));
    const old = new SqlStore(openDatabase(path.join(r.keptAside.folder!, db), key));
    try {
      const outbox = old.outbox(10);
      expect(outbox.map((o) => o.mutation)).toEqual([expect.objectContaining({ type: 'journal_entry.create', record: expect.objectContaining({ id: entry.id, text }) })]);
    } finally {
      old.close();
    }
  });
});
