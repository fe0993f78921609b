import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DevKeyFileVault } from '../../../main/store';
import { ftsQuery } from '../../../main/store/fts-query';
import { tempDir } from './fixtures';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('DevKeyFileVault (development only)', () => {
  it('wraps and unwraps; the blob is not the key; the key file is 0600', async () => {
    const vault = new DevKeyFileVault(tmp.dir);
    const key = randomBytes(32);
    const blob = await vault.wrap(key);
    expect(blob.includes(key)).toBe(false);
    expect((await vault.unwrap(blob)).equals(key)).toBe(true);
    expect(statSync(path.join(tmp.dir, 'dev-vault.key')).mode & 0o777).toBe(0o600);
    // Another instance over the same folder reads the same vault key.
    expect((await new DevKeyFileVault(tmp.dir).unwrap(blob)).equals(key)).toBe(true);
  });

  it('refuses a tampered blob, a foreign blob and a vault key of the wrong size', async () => {
    const vault = new DevKeyFileVault(tmp.dir);
    const blob = await vault.wrap(randomBytes(32));
    blob[blob.length - 1]! ^= 1;
    await expect(vault.unwrap(blob)).rejects.toThrow(/development vault's key/);
    await expect(vault.unwrap(randomBytes(60))).rejects.toThrow(/unknown format/);
    const other = tempDir();
    writeFileSync(path.join(other.dir, 'dev-vault.key'), randomBytes(16));
    await expect(new DevKeyFileVault(other.dir).wrap(randomBytes(32))).rejects.toThrow(/wrong length/);
    other.cleanup();
  });
});

describe('ftsQuery', () => {
  it.each([
    ['frukost', '"frukost"*'],
    ['  Brukaren  åt frukost ', '"Brukaren" "åt" "frukost"*'],
    ['"OK" AND', '"OK" "AND"*'],
    ['text:larm*', '"text" "larm"*'],
    ['NEAR(a b)', '"NEAR" "a" "b"'],
    ['t', '"t"'],
    ['brukaren t', '"brukaren" "t"'],
    ['ta', '"ta"*'],
    ['åt', '"åt"*'],
    ['"', null],
    ['*^()-', null],
    ['', null],
  ])('%j → %j', (input, expected) => {
    expect(ftsQuery(input)).toBe(expected);
  });

  it('limits the number of terms and their length', () => {
    expect(ftsQuery(Array.from({ length: 20 }, (_, i) => `ord${i}`).join(' '))?.split(' ')).toHaveLength(8);
    expect(ftsQuery('a'.repeat(500))).toBe(`"${'a'.repeat(64)}"*`);
    expect(ftsQuery('frukost', { prefixLast: false })).toBe('"frukost"');
  });
});
