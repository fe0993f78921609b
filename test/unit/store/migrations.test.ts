import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { DevKeyFileVault, localStoreFile, openLocalStore } from '../../../main/store';
import { keyDatabase, tuneConnection } from '../../../main/store/connection';
import { LATEST_VERSION, migrate, migrations } from '../../../main/store/migrations';
import { author, tempDir } from './fixtures';

const HSA = 'SE2321000131-P000000000200';
const UNIT = '0a7d3c1e-52b4-4c8e-9a55-3b5f3c2b9d01';
const CLIENT = '1b8e4d2f-63c5-4d9f-8b66-4c6a4d3cae12';
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A store file at schema version k (migrations 1..k), with data written as version k knew it. */
async function storeAtVersion(k: number): Promise<string> {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const file = localStoreFile(t.dir, HSA);
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(`${file}.key`, await new DevKeyFileVault(t.dir).wrap(key));
  const db = new Database(file);
  keyDatabase(db, key);
  tuneConnection(db);
  migrate(db, k);
  expect(db.pragma('user_version', { simple: true })).toBe(k);
  if (k >= 1) {
    const a = JSON.stringify(author);
    db.prepare("INSERT INTO units VALUES (?, 'Hemtjänst Norr', '2024-01-01', NULL, 0)").run(UNIT);
    db.prepare("INSERT INTO clients VALUES (?, ?, '191212121212', 'Tolvan', 'Tolvansson', 'tolvansson\u0001tolvan')").run(CLIENT, UNIT);
    db.prepare(
      "INSERT INTO journal_entries VALUES ('2c9f5e3a-74d6-4eaf-9c77-5d7b5e4dbf23', ?, ?, '2024-05-01', '2024-05-01T08:00:00.000Z', 'Brukaren åt frukost', NULL, NULL, ?, NULL, NULL, 0)",
    ).run(CLIENT, UNIT, a);
    db.prepare(
      "INSERT INTO day_notes (id, unit_id, client_id, text, author, created_at) VALUES ('3da06f4b-85e7-4fb0-8d88-6e8c6f5ec034', ?, NULL, 'Nyckeln ligger i kontoret', ?, '2024-05-01T09:00:00.000Z')",
    ).run(UNIT, a);
    db.prepare('INSERT INTO cursors VALUES (?, 7)').run(UNIT);
  }
  db.close();
  return t.dir;
}

describe('migrations', () => {
  // Gaps are allowed: parallel branches hold their numbers (each kind's `schema` version) until merged.
  it('are numbered from 1 upwards, each version once', () => {
    const versions = migrations.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(LATEST_VERSION).toBe(versions.at(-1));
  });

  it.each([0, ...migrations.map((m) => m.version).slice(0, -1)])('run forward from version %i to the latest, data intact', async (k) => {
    const dir = await storeAtVersion(k);
    const store = await openLocalStore({ dataDir: dir, hsaId: HSA, vault: new DevKeyFileVault(dir) });
    try {
      if (k >= 1) {
        expect(await store.cursors()).toEqual({ [UNIT]: 7 });
        expect(await store.client(CLIENT)).toMatchObject({ personnummer: '191212121212', familyName: 'Tolvansson' });
        expect((await store.journal({ clientId: CLIENT, limit: 5 })).map((e) => [e.text, e.author])).toEqual([['Brukaren åt frukost', author]]);
        // Notes written before the full-text index existed are searchable after migration 2.
        expect((await store.searchDayNotes({ query: 'kontoret', limit: 5 })).map((n) => n.text)).toEqual(['Nyckeln ligger i kontoret']);
      } else {
        expect(await store.units()).toEqual([]);
      }
    } finally {
      await store.close();
    }
    const db = new Database(localStoreFile(dir, HSA));
    keyDatabase(db, await new DevKeyFileVault(dir).unwrap((await import('node:fs')).readFileSync(`${localStoreFile(dir, HSA)}.key`)));
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    db.close();
  });

  it('a failing migration leaves the file at the previous version (one transaction each)', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    const broken = { version: 2, name: 'broken', up: (d: Database.Database) => d.exec('CREATE TABLE half (x); SELECT * FROM no_such_table') };
    expect(() =>
      db.transaction(() => {
        broken.up(db);
        db.pragma('user_version = 2');
      })(),
    ).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a file from a newer program version as unreadable', async () => {
    const dir = await storeAtVersion(LATEST_VERSION);
    const file = localStoreFile(dir, HSA);
    const key = await new DevKeyFileVault(dir).unwrap((await import('node:fs')).readFileSync(`${file}.key`));
    const db = new Database(file);
    keyDatabase(db, key);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    await expect(openLocalStore({ dataDir: dir, hsaId: HSA, vault: new DevKeyFileVault(dir) })).rejects.toMatchObject({
      details: { reason: 'STORE_UNREADABLE', cause: 'newer_schema' },
    });
  });
});
