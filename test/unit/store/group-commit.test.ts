import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevKeyFileVault, localStoreFile, openLocalStore, type LocalStore } from '../../../main/store';
import { openDatabase } from '../../../main/store/connection';
import { author, client, dayNote, journalEntry, noteCreate, tempDir, unit, upsert } from './fixtures';

/**
 * Pull pages are group-committed (SqlStore.applyPulledPage): one transaction until the run's last
 * page or GROUP_COMMIT_CHANGES, and any other call commits first. A second connection to the
 * same encrypted file shows what is committed, i.e. what survives a crash.
 */
const HSA = 'SE2321000131-P000000000103';
const tmp = tempDir();
const vault = new DevKeyFileVault(tmp.dir);
const home = unit('Hemtjänst Norr');
const anna = client(home.unitId, { givenName: 'Anna', familyName: 'Östlund' });
let store: LocalStore;

const page = (changes: unknown[], cursor: number, hasMore: boolean) =>
  new TextEncoder().encode(
    JSON.stringify({ units: [home], changes, cursors: { [home.unitId]: cursor }, hasMore, serverTime: new Date().toISOString(), retentionDays: { day_note: 90 } }),
  );

/** What another connection (or the store after a crash) sees: committed rows only. */
async function committed(): Promise<{ journal: number; notes: number; cursor: number | null; outbox: number }> {
  const file = localStoreFile(tmp.dir, HSA);
  const key = await vault.unwrap(readFileSync(`${file}.key`));
  const db = openDatabase(file, key);
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const cursor = db.prepare('SELECT seq FROM cursors WHERE unit_id = ?').get(home.unitId) as { seq: number } | undefined;
    return { journal: n('SELECT count(*) AS n FROM journal_entries'), notes: n('SELECT count(*) AS n FROM day_notes'), cursor: cursor?.seq ?? null, outbox: n('SELECT count(*) AS n FROM outbox') };
  } finally {
    db.close();
    key.fill(0);
  }
}

beforeAll(async () => {
  store = await openLocalStore({ dataDir: tmp.dir, hsaId: HSA, vault });
  await store.applyPull({ units: [home], changes: [upsert('client', anna)], cursors: { [home.unitId]: 1 } });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

describe('pull pages are group-committed', () => {
  it('pages of a run stay uncommitted until its last page, then commit with their cursor', async () => {
    const first = await store.readPullPage(page([upsert('journal_entry', journalEntry(anna, { text: 'Sida 1' }))], 2, true));
    await store.applyPulledPage(first.pageId);
    expect(await committed()).toMatchObject({ journal: 0, cursor: 1 });

    const last = await store.readPullPage(page([upsert('day_note', dayNote(home.unitId, { text: 'Sida 2' }))], 3, false));
    await store.applyPulledPage(last.pageId);
    expect(await committed()).toMatchObject({ journal: 1, notes: 1, cursor: 3 });
  });

  it('a user write in the middle of a run commits the pages before it, and is itself durable', async () => {
    const mid = await store.readPullPage(page([upsert('journal_entry', journalEntry(anna, { text: 'Före skrivningen' }))], 4, true));
    await store.applyPulledPage(mid.pageId);
    expect(await committed()).toMatchObject({ journal: 1, cursor: 3 });
    await store.enqueue(noteCreate(home.unitId, 'Skriven mitt i en hämtning'), author);
    expect(await committed()).toMatchObject({ journal: 2, notes: 2, cursor: 4, outbox: 1 });
  });

  it('a read in the middle of a run sees the applied pages; closing commits what was applied', async () => {
    const e = journalEntry(anna, { text: 'Sedd före commit' });
    const p = await store.readPullPage(page([upsert('journal_entry', e)], 5, true));
    await store.applyPulledPage(p.pageId);
    expect(await store.journalEntry(e.id)).toMatchObject({ text: 'Sedd före commit' });
    await store.close();
    expect(await committed()).toMatchObject({ journal: 3, cursor: 5 });
    store = await openLocalStore({ dataDir: tmp.dir, hsaId: HSA, vault });
    expect(await store.journalEntry(e.id)).toMatchObject({ text: 'Sedd före commit' });
  });
});

/** The indexes of a user's store file, with their SQL (a store that does not exist yet is created and migrated). */
async function indexes(hsaId: string): Promise<{ name: string; sql: string | null }[]> {
  const file = localStoreFile(tmp.dir, hsaId);
  if (!existsSync(file)) await (await openLocalStore({ dataDir: tmp.dir, hsaId, vault })).close();
  const key = await vault.unwrap(readFileSync(`${file}.key`));
  const db = openDatabase(file, key);
  key.fill(0);
  try {
    return db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name`).all() as { name: string; sql: string | null }[];
  } finally {
    db.close();
  }
}

describe('filling an empty store goes straight into the file (rollback journal), then back to WAL', () => {
  const HSA_FRESH = 'SE2321000131-P000000000104';
  const secret = 'Hemlig bulktext om Östlund';
  const files = (file: string) => ({ db: `${file}`, journal: `${file}-journal`, wal: `${file}-wal` });

  it('holds no plaintext in the file or its journal mid-run; a crash mid-run leaves the empty store; the last page brings WAL back', async () => {
    const fresh = await openLocalStore({ dataDir: tmp.dir, hsaId: HSA_FRESH, vault });
    const file = localStoreFile(tmp.dir, HSA_FRESH);
    const f = files(file);
    try {
      const first = await fresh.readPullPage(page([upsert('client', anna), upsert('day_note', dayNote(home.unitId, { text: secret }))], 2, true));
      await fresh.applyPulledPage(first.pageId);
      // Mid-run: a rollback journal beside the file, no WAL; neither holds the text or the personnummer.
      expect(existsSync(f.journal)).toBe(true);
      expect(existsSync(f.wal)).toBe(false);
      for (const path of [f.db, f.journal]) {
        const bytes = readFileSync(path);
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
        expect(bytes.includes(Buffer.from('Östlund'))).toBe(false);
        expect(bytes.includes(Buffer.from(anna.personnummer))).toBe(false);
      }
      // A crash now leaves the file and its hot journal as they are: opened again, the journal
      // rolls the run back and the store is the empty one it was.
      const crashed = tempDir('crash-copy-');
      try {
        const copy = localStoreFile(crashed.dir, HSA_FRESH);
        mkdirSync(dirname(copy), { recursive: true });
        for (const suffix of ['', '-journal', '.key']) copyFileSync(`${file}${suffix}`, `${copy}${suffix}`);
        const key = await vault.unwrap(readFileSync(`${copy}.key`));
        const db = openDatabase(copy, key);
        key.fill(0);
        try {
          expect(db.prepare('SELECT count(*) AS n FROM day_notes').get()).toEqual({ n: 0 });
          expect(db.prepare('SELECT count(*) AS n FROM cursors').get()).toEqual({ n: 0 });
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        } finally {
          db.close();
        }
      } finally {
        crashed.cleanup();
      }

      const last = await fresh.readPullPage(page([upsert('journal_entry', journalEntry(anna, { text: 'Sista sidan' }))], 3, false));
      await fresh.applyPulledPage(last.pageId);
      expect(existsSync(f.journal)).toBe(false);
      expect(existsSync(f.wal)).toBe(true);
      expect(await fresh.journal({ clientId: anna.id, limit: 10 })).toHaveLength(1);
      expect((await fresh.dayNotes({ unitId: home.unitId, limit: 10 })).map((n) => n.text)).toEqual([secret]);
    } finally {
      await fresh.close();
    }
    // The secondary indexes, dropped for the fill, are all back, exactly as the migrations made them.
    expect(await indexes(HSA_FRESH)).toEqual(await indexes('SE2321000131-P000000000199'));
  });

  it('a read in the middle of a fill builds the dropped indexes before it commits; nothing reads without them', async () => {
    const hsa = 'SE2321000131-P000000000105';
    const fresh = await openLocalStore({ dataDir: tmp.dir, hsaId: hsa, vault });
    try {
      const first = await fresh.readPullPage(page([upsert('client', anna), upsert('journal_entry', journalEntry(anna, { text: 'Mitt i fyllningen' }))], 2, true));
      await fresh.applyPulledPage(first.pageId);
      expect((await fresh.journal({ clientId: anna.id, limit: 10 })).map((e) => e.text)).toEqual(['Mitt i fyllningen']);
    } finally {
      await fresh.close();
    }
    expect(await indexes(hsa)).toEqual(await indexes('SE2321000131-P000000000199'));
  });

  it('only an empty store: the next run of the same store, with cursors, goes through the WAL', async () => {
    const again = await openLocalStore({ dataDir: tmp.dir, hsaId: HSA_FRESH, vault });
    const file = localStoreFile(tmp.dir, HSA_FRESH);
    try {
      const p = await again.readPullPage(page([upsert('journal_entry', journalEntry(anna, { text: 'Senare körning' }))], 4, true));
      await again.applyPulledPage(p.pageId);
      expect(existsSync(`${file}-journal`)).toBe(false);
      expect(existsSync(`${file}-wal`)).toBe(true);
    } finally {
      await again.close();
    }
  });
});
