import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The layering rules of docs/architecture.md, checked against the real lint configuration. */
const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rules', () => {
  it.each([
    ['renderer/src/x.ts', "import 'electron';"],
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs'; export const r = readFileSync;"],
    ['renderer/src/x.ts', "import { createRouter } from '../../main/router'; export const r = createRouter;"],
    ['contract/x.ts', "import { createRouter } from '../main/router'; export const r = createRouter;"],
    ['contract/x.ts', "import path from 'node:path'; export const p = path;"],
    ['main/services/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['main/x.ts', "import { createServer } from '../server/app'; export const c = createServer;"],
    ['native/x.ts', "import { createWorkstation } from '../main/app'; export const c = createWorkstation;"],
    ['server/x.ts', "import { createRouter } from '../main/router'; export const r = createRouter;"],
    ['server/x.ts', "import { BrowserWindow } from 'electron'; export const b = BrowserWindow;"],
  ])('refuses %s: %s', async (file, source) => {
    expect(await restrictedImports(file, source)).not.toEqual([]);
  });

  it.each([
    ['renderer/src/x.ts', "import { Unit } from '#contract'; export type U = Unit;"],
    ['main/electron/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['server/x.ts', "import { Unit } from '#contract'; export type U = Unit;"],
    ['main/x.ts', "import { Unit } from '#contract'; export type U = Unit;"],
  ])('allows %s: %s', async (file, source) => {
    expect(await restrictedImports(file, source)).toEqual([]);
  });
});
