import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The real Electron shell driven by Playwright's `_electron`. It runs wherever an Electron binary
 * exists (developer machines, a Windows CI runner); on our build machines the binary cannot be
 * downloaded, so it skips, saying why. The shell's behaviour is specified in
 * test/unit/electron/ with a fake electron module; the renderer's in the Chromium e2e suite.
 */
function electronBinary(): { path: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  try {
    // Requiring the package without a binary would start a download from the test run; say so instead.
    const pkgDir = path.dirname(require.resolve('electron/package.json'));
    if (!existsSync(path.join(pkgDir, 'path.txt')) && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
      return { missing: 'the electron npm package has no downloaded binary (node_modules/electron/path.txt is absent)' };
    }
    // In Node the electron npm package exports the binary's path, and throws when it is missing.
    const p: unknown = require('electron');
    if (typeof p === 'string' && existsSync(p)) return { path: p };
    return { missing: `the electron package names ${String(p)}, which does not exist` };
  } catch (e) {
    return { missing: (e as Error).message.split('\n')[0] ?? 'unknown error' };
  }
}

const binary = electronBinary();
const electronBinaryAvailable = 'path' in binary;
const reason = 'missing' in binary ? `Electron binary not available here (${binary.missing}); the shell is covered by test/unit/electron` : '';
const root = path.resolve(import.meta.dirname, '..', '..');
const built = existsSync(path.join(root, 'dist', 'main', 'electron', 'index.cjs')) && existsSync(path.join(root, 'dist', 'renderer', 'index.html'));

describe(`Electron shell end to end${electronBinaryAvailable ? '' : ` — skipped: ${reason}`}`, () => {
  it.skipIf(!electronBinaryAvailable)('opens the workstation window on app://workstation with the bridge and nothing of Node', async () => {
    expect(built, 'run `npm run build && npm run build:electron` first').toBe(true);
    const { _electron } = await import('playwright-core');
    const app = await _electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [path.join(root, 'dist', 'main', 'electron', 'index.cjs')],
      cwd: root,
      env: { ...process.env, SERVER_URL: process.env.SERVER_URL ?? 'http://127.0.0.1:9' },
    });
    try {
      const page = await app.firstWindow();
      expect(page.url()).toMatch(/^app:\/\/workstation\//);
      const globals = await page.evaluate(() => ({
        omsorg: typeof (window as unknown as { omsorg?: unknown }).omsorg,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(globals).toEqual({ omsorg: 'object', require: 'undefined', process: 'undefined' });
      const opened = await page.evaluate(() => window.open('https://evil.example/') === null);
      expect(opened).toBe(true);
    } finally {
      await app.close();
    }
  });
});
