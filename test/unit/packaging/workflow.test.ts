import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeTool } from '../../../scripts/node-tool';

/**
 * The Windows workflow cannot run here (no Windows runner, no Electron binary): it is checked
 * against GitHub's workflow schema by @action-validator/cli, and for the steps docs/windows.md
 * says it covers.
 */
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const workflow = path.join(root, '.github', 'workflows', 'windows.yml');
const validate = (file: string) => spawnSync(...nodeTool(root, '@action-validator/cli', [file], 'action-validator'), { encoding: 'utf8' });

describe('the Windows workflow (.github/workflows/windows.yml)', () => {
  it('passes the workflow linter', () => {
    const r = validate(workflow);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the linter does catch a broken workflow (a misspelt key)', () => {
    const broken = path.join(mkdtempSync(path.join(tmpdir(), 'workflow-')), 'windows.yml');
    writeFileSync(broken, readFileSync(workflow, 'utf8').replace('runs-on:', 'run-on:'));
    const r = validate(broken);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("Additional property 'run-on' is not allowed");
  });

  it('on windows-latest: installs, rebuilds for Electron, builds NSIS and MSI, installs silently and drives the installed app', () => {
    const text = readFileSync(workflow, 'utf8');
    expect(text).toContain('runs-on: windows-latest');
    for (const step of ['npm ci', 'node node_modules/electron/install.js', 'npx electron-builder install-app-deps', 'npm run package', "'/S', '/allusers'", "'/qn'", 'npx vitest run --project installed']) {
      expect(text, step).toContain(step);
    }
  });
});
