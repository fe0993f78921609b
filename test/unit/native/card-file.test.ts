import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCardFile } from '../../../native/softcard/store';

describe('reading a card file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cardfile-'));
  it('refuses a file that is not JSON with a clear VALIDATION error', async () => {
    const p = path.join(dir, 'broken.json');
    writeFileSync(p, '{ not json');
    await expect(loadCardFile(p)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('kunde inte läsas som JSON') });
  });
  it('names the fields that are wrong in a JSON file that is no card file', async () => {
    const p = path.join(dir, 'other.json');
    writeFileSync(p, JSON.stringify({ format: 'something-else', label: 'x' }));
    await expect(loadCardFile(p)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('format') });
  });
});
