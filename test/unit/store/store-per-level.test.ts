import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DevKeyFileVault, localStoreFile, openLocalStore } from '../../../main/store';
import { openDatabase } from '../../../main/store/connection';
import { client, journalEntry, tempDir, unit, upsert } from './fixtures';

/**
 * One local store per assurance level (issue 29, docs/store.md): a session below LoA3 has its own
 * SQLCipher file with its own random key, so it never holds the key to the client data a LoA3
 * session cached on the same workstation. Real SQLCipher files, the development key vault.
 */
const HSA = 'SE2321000131-P000000000101';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
const dataDir = () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
};

describe('the local store per assurance level', () => {
  it('a LoA2 session opens another file with another key; the LoA3 file stays as the card made it', async () => {
    const dir = dataDir();
    const vault = new DevKeyFileVault(dir);
    const u = unit('Hemtjänst Majorna');
    const c = client(u.unitId, { familyName: 'Tolvansson' });
    const loa3 = await openLocalStore({ dataDir: dir, hsaId: HSA, vault });
    await loa3.applyPull({ units: [u], changes: [upsert('client', c), upsert('journal_entry', journalEntry(c, { text: 'Hjälp med frukost.' }))], cursors: { [u.unitId]: 2 } });
    await loa3.close();

    const loa2 = await openLocalStore({ dataDir: dir, hsaId: HSA, vault, loa: 2 });
    // A fresh store: nothing the LoA3 session cached is in it (its pull starts from nothing).
    await loa2.applyPull({ units: [u], changes: [], cursors: { [u.unitId]: 0 } });
    expect(await loa2.clients({ limit: 50 })).toHaveLength(0);
    await loa2.close();

    const f3 = localStoreFile(dir, HSA);
    const f2 = localStoreFile(dir, HSA, 2);
    expect(f2).not.toBe(f3);
    expect(f3).toBe(localStoreFile(dir, HSA, 3)); // the card's store keeps its name
    const key3 = await vault.unwrap(readFileSync(`${f3}.key`));
    const key2 = await vault.unwrap(readFileSync(`${f2}.key`));
    expect(key2.equals(key3)).toBe(false);
    // The LoA2 key does not open the LoA3 file (SQLCipher: not a database); the LoA3 key does.
    expect(() => openDatabase(f3, key2).prepare('SELECT count(*) FROM sqlite_master').get()).toThrow(/not a database|file is not a database/i);
    const db = openDatabase(f3, key3);
    expect((db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
    // And back at LoA3: her clients are there, as the LoA3 session cached them.
    const again = await openLocalStore({ dataDir: dir, hsaId: HSA, vault, loa: 3 });
    const listed = await again.clients({ limit: 50 });
    expect(JSON.stringify(listed)).toContain('Tolvansson');
    await again.close();
  });
});
