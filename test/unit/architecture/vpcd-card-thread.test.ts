import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A software card in vpcd must not live on a thread that also closes PC/SC readers: pcsclite's
 * `CardReader.close()` joins its status thread, which waits on pcscd, which waits on the card —
 * on that same blocked thread (the hang of the e2e and card-reader runs under load, issue 31). So
 * only the card's worker thread (native/softcard/vpcd-worker.ts, started by `insertCard` /
 * `insertCardFile`) may use the vpcd client; every test, bench, tool and script goes through those.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIRS = ['bench', 'main', 'native', 'scripts', 'server', 'test', 'tools'];
const ALLOWED = new Set([
  'native/softcard/vpcd-worker.ts',
  'native/softcard/vpcd-client.ts',
  'test/unit/architecture/vpcd-card-thread.test.ts',
  // On purpose: the card on the test's thread, the old deadlock's setup, answering the workstation's
  // PC/SC through the host process (native/pcsc/host) — what the process boundary is for.
  'test/integration/card/pcsc-host.reader.test.ts',
]);

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|mjs|cjs|js)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

describe('the vpcd software card runs in a thread of its own', () => {
  it('nothing but its worker uses the vpcd client (VpcdCard)', () => {
    const files = DIRS.flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    const users = files.filter((f) => {
      if (ALLOWED.has(f)) return false;
      const text = readFileSync(path.join(ROOT, f), 'utf8');
      // A value import of the client module (type-only imports carry no card), or the class by name.
      return /^import (?!type )[^;]*from '[^']*vpcd-client'/m.test(text) || /\bVpcdCard\b/.test(text);
    });
    expect(users).toEqual([]);
  });
});
