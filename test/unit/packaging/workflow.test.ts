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

  /** Each job's text: from its `  name:` line to the next job. */
  const jobs = () => {
    const text = readFileSync(workflow, 'utf8');
    const body = text.slice(text.indexOf('\njobs:\n'));
    return Object.fromEntries([...body.matchAll(/^ {2}([\w-]+):\n([\s\S]*?)(?=^ {2}[\w-]+:\n|$(?![\s\S]))/gm)].map((m) => [m[1]!, m[2]!]));
  };

  it('builds once on a supported Node (22 or 24): production NSIS and MSI signed (required on tags), blockmaps kept, app.asar measured, a demo build', () => {
    const text = readFileSync(workflow, 'utf8');
    expect(text).toMatch(/NODE_VERSION: (22|24)\n/);
    const build = jobs().build!;
    expect(build).toContain('runs-on: windows-latest');
    for (const step of ['npm ci', 'node node_modules/electron/install.js', 'npx electron-builder install-app-deps', 'npm run package -- --release', 'release/*.blockmap', 'release/latest.yml', 'build/policy/', 'app.asar', 'npm run package -- --demo']) {
      expect(build, step).toContain(step);
    }
    expect(build).toContain('AZURE_SIGNING_ENDPOINT: ${{ secrets.AZURE_SIGNING_ENDPOINT }}');
    expect(text).not.toMatch(/CSC_LINK|\.pfx/);
  });

  it('installs, starts and uninstalls each channel in its own job (one channel’s uninstall cannot touch the other)', () => {
    const { msi, nsis, 'demo-login': demo } = jobs();
    for (const [name, job] of [['msi', msi], ['nsis', nsis], ['demo-login', demo]] as const) {
      expect(job, name).toContain('needs: build');
      expect(job, name).toContain('runs-on: windows-latest');
      expect(job, name).toContain('npx vitest run --project installed');
    }
    expect(msi).toContain("'/i', $msi.FullName, '/qn'");
    expect(msi).toContain("'/x', $msi.FullName, '/qn'");
    expect(msi).not.toContain('-setup.exe');
    expect(nsis).toContain("-ArgumentList '/S'");
    expect(nsis).toContain('LOCALAPPDATA');
    expect(nsis).not.toContain('/allusers');
    expect(nsis).not.toContain('.msi');
    expect(nsis).toContain('Uninstall Omsorgsportalen.exe');
    expect(demo).toContain("OMSORG_INSTALLED_DEMO: '1'");
  });
});
