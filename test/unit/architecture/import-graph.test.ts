import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of server/, main/ and tools/ (dependency-cruiser, rules in .dependency-cruiser.cjs):
 * no cycle, type-only imports included, and no generic folder importing a feature folder.
 */
const root = path.resolve(import.meta.dirname, '../../..');
const config = path.join(root, '.dependency-cruiser.cjs');
const { folders } = createRequire(import.meta.url)(config) as { folders: { FEATURES: Record<string, string[]>; GENERIC: Record<string, string[]> } };
/** Folders above the features (the Electron shell starts main/app.ts) or without code. */
const ROOTS: Record<string, string[]> = { server: ['migrations'], main: ['electron'] };

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

describe('import graph', () => {
  it('server/, main/ and tools/ have no import cycle, and no generic folder imports a feature folder', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', config, '--output-type', 'json', 'server', 'main', 'tools'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    const { summary } = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
    const found = summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.cycle ? v.cycle.map((c) => c.name).join(' → ') : v.to}`);
    expect(found).toEqual([]);
    // The graph was really read (a resolution problem would leave it almost empty).
    expect(summary.totalCruised).toBeGreaterThan(250);
  }, 60_000);

  it.each(['server', 'main'])('every folder of %s/ is declared a feature or generic in .dependency-cruiser.cjs', (layer) => {
    const declared = new Set([...folders.FEATURES[layer]!, ...folders.GENERIC[layer]!, ...ROOTS[layer]!]);
    const present = readdirSync(path.join(root, layer), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(present.filter((name) => !declared.has(name))).toEqual([]);
  });
});
