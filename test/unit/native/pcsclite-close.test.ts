import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * pcsclite's CardReader.close as published can block its caller until the reader's next event
 * (a cancel lost on a loaded machine; docs/smart-card.md "Why no N-API addon"). The installed
 * addon must be built from the source scripts/pcsclite-close.mjs mends (npm install runs it).
 */
const dir = path.resolve(import.meta.dirname, '../../../node_modules/pcsclite');
const cpp = path.join(dir, 'src', 'cardreader.cpp');
const addon = path.join(dir, 'build', 'Release', 'pcsclite.node');

describe.skipIf(!existsSync(cpp))('the installed pcsclite', () => {
  it('closes a reader by cancelling until its status thread has left its loop, and is built from that source', () => {
    const source = readFileSync(cpp, 'utf8');
    expect(source, 'run: node scripts/pcsclite-close.mjs').toContain('omsorg: cancel until the status thread has left its loop');
    expect(source).not.toContain('while ((ret != 0) && (++ times < 5))');
    expect(existsSync(addon) && statSync(addon).mtimeMs >= statSync(cpp).mtimeMs, 'the addon is older than its mended source: node scripts/pcsclite-close.mjs').toBe(true);
  });
});
