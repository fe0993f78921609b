import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppFailure } from '#contract';
import { DevKeyFileVault, isStoreUnreadable, openLocalStore, resetLocalStore, StoreUnreadableError } from '../../../main/store';
import { localStoreFile } from '../../../main/store';
import { openDatabase } from '../../../main/store/connection';
import { SqlStore } from '../../../main/store/sql-store';
import { author, client, dayNote, journalCreate, journalEntry, tempDir, unit, upsert } from './fixtures';

const HSA = 'SE2321000131-P000000000103';
const PNR = '191212121212';
const TEXT = 'Brukaren åt frukost';
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function dataDir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const sidecars = (file: string) => [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f));
function assertNoPlaintext(files: string[]): void {
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const needle of [PNR, TEXT, 'frukost', 'Tolvansson', 'SQLite format 3']) {
      expect(bytes.includes(Buffer.from(needle, 'utf8')), `${path.basename(f)} contains "${needle}"`).toBe(false);
      expect(bytes.includes(Buffer.from(needle, 'utf16le')), `${path.basename(f)} contains "${needle}" (UTF-16)`).toBe(false);
    }
  }
}

async function seeded(dir: string) {
  const vault = new DevKeyFileVault(dir);
  const store = await openLocalStore({ dataDir: dir, hsaId: HSA, vault });
  const u = unit('Hemtjänst Norr');
  const c = client(u.unitId, { personnummer: PNR, familyName: 'Tolvansson' });
  await store.applyPull({
    units: [u],
    changes: [upsert('client', c), upsert('journal_entry', journalEntry(c, { text: TEXT })), upsert('day_note', dayNote(u.unitId, { text: `${TEXT} idag` }))],
    cursors: { [u.unitId]: 3 },
  });
  await store.enqueue(journalCreate(c, `${TEXT} igen`), author);
  return { store, vault, unit: u, client: c, file: localStoreFile(dir, HSA) };
}

describe('the store file on disk', () => {
  it('is named by a hash of the HSA-ID, with the wrapped key beside it', async () => {
    const dir = dataDir();
    const { store, file } = await seeded(dir);
    await store.close();
    expect(path.basename(file)).toMatch(/^[0-9a-f]{32}\.db$/);
    expect(file).toBe(path.join(dir, 'stores', `${createHash('sha256').update(HSA).digest('hex').slice(0, 32)}.db`));
    expect(existsSync(`${file}.key`)).toBe(true);
    expect(statSync(`${file}.key`).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'dev-vault.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(dir, 'stores')).some((f) => f.includes(HSA))).toBe(false);
  });

  it('holds no plaintext: not the .db, -wal or -shm, neither while open nor after close', async () => {
    const dir = dataDir();
    const { store, file } = await seeded(dir);
    const open = sidecars(file);
    expect(open).toContain(`${file}-wal`); // the writes are in the WAL now: it is searched too
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    assertNoPlaintext(open);
    await store.close();
    assertNoPlaintext(sidecars(file));
    assertNoPlaintext([`${file}.key`]);
  });

  it('reopens with the same vault, and the data is there', async () => {
    const dir = dataDir();
    const { store, vault, client: c } = await seeded(dir);
    await store.close();
    const again = await openLocalStore({ dataDir: dir, hsaId: HSA, vault });
    expect(await again.client(c.id)).toEqual(c);
    expect(await again.outboxCount()).toBe(1);
    await again.close();
  });
});

describe('a store that cannot be read', () => {
  it('refuses a wrong key cleanly, leaving the file untouched', async () => {
    const dir = dataDir();
    const { store, vault, file } = await seeded(dir);
    await store.close();
    const before = sidecars(file).map(sha);
    writeFileSync(`${file}.key`, await vault.wrap(randomBytes(32))); // a valid blob holding another key
    const e = await openLocalStore({ dataDir: dir, hsaId: HSA, vault }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreUnreadableError);
    expect(e).toBeInstanceOf(AppFailure);
    expect(isStoreUnreadable(e)).toBe(true);
    expect((e as AppFailure).toError()).toMatchObject({ code: 'STORE_UNREADABLE', details: { reason: 'STORE_UNREADABLE', cause: 'wrong_key_or_corrupt' } });
    expect(JSON.stringify((e as AppFailure).toError())).not.toContain(HSA);
    expect(sidecars(file).map(sha)).toEqual(before);
  });

  it('says so when the key cannot be unwrapped (another vault) or is missing', async () => {
    const dir = dataDir();
    const { store, file } = await seeded(dir);
    await store.close();
    const otherVault = new DevKeyFileVault(dataDir());
    await expect(openLocalStore({ dataDir: dir, hsaId: HSA, vault: otherVault })).rejects.toMatchObject({ unreadable: 'key_not_unwrappable' });
    const key = readFileSync(`${file}.key`);
    writeFileSync(`${file}.key`, Buffer.alloc(0));
    await expect(openLocalStore({ dataDir: dir, hsaId: HSA, vault: new DevKeyFileVault(dir) })).rejects.toMatchObject({ unreadable: 'key_not_unwrappable' });
    writeFileSync(`${file}.key`, key);
    const { rmSync } = await import('node:fs');
    rmSync(`${file}.key`);
    await expect(openLocalStore({ dataDir: dir, hsaId: HSA, vault: new DevKeyFileVault(dir) })).rejects.toMatchObject({ unreadable: 'missing_key' });
  });

  it('corrupt file → clear error → resetLocalStore moves it aside (never deletes) → a fresh store opens', async () => {
    const dir = dataDir();
    const { store, vault, file } = await seeded(dir);
    await store.close();
    const garbage = randomBytes(8192);
    writeFileSync(file, garbage);
    await expect(openLocalStore({ dataDir: dir, hsaId: HSA, vault })).rejects.toSatisfy(isStoreUnreadable);

    const { movedAside } = await resetLocalStore({ dataDir: dir, hsaId: HSA });
    expect(movedAside.map((f) => path.basename(f).replace(/\d{4}-\d\d-\d\dT[\d-]+Z/, 'T'))).toEqual(
      expect.arrayContaining([`${path.basename(file)}.unreadable-T`, `${path.basename(file)}.unreadable-T.key`]),
    );
    const asideDb = movedAside.find((f) => f.endsWith(`.unreadable-${f.split('.unreadable-')[1]}`) && !f.endsWith('.key'))!;
    expect(readFileSync(asideDb).equals(garbage)).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.key`)).toBe(false);

    const fresh = await openLocalStore({ dataDir: dir, hsaId: HSA, vault });
    expect(await fresh.units()).toEqual([]);
    expect(await fresh.outboxCount()).toBe(0);
    await fresh.close();
  });

  it('keeps unsent writes recoverable: the file moved aside still opens with the key moved beside it', async () => {
    const dir = dataDir();
    const { store, file } = await seeded(dir);
    await store.close();
    const oldVaultKey = readFileSync(path.join(dir, 'dev-vault.key'));
    writeFileSync(path.join(dir, 'dev-vault.key'), randomBytes(32)); // e.g. the OS key store was reset
    await expect(openLocalStore({ dataDir: dir, hsaId: HSA, vault: new DevKeyFileVault(dir) })).rejects.toMatchObject({ unreadable: 'key_not_unwrappable' });
    const { movedAside } = await resetLocalStore({ dataDir: dir, hsaId: HSA });
    const fresh = await openLocalStore({ dataDir: dir, hsaId: HSA, vault: new DevKeyFileVault(dir) });
    await fresh.close();

    const recoveryDir = dataDir();
    writeFileSync(path.join(recoveryDir, 'dev-vault.key'), oldVaultKey);
    const asideKey = movedAside.find((f) => f.endsWith('.key'))!;
    const key = await new DevKeyFileVault(recoveryDir).unwrap(readFileSync(asideKey));
    const old = new SqlStore(openDatabase(asideKey.slice(0, -'.key'.length), key));
    expect(old.outbox(10).map((o) => o.mutation.type)).toEqual(['journal_entry.create']);
    old.close();
    expect(existsSync(file)).toBe(true);
  });
});
