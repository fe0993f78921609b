import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No component calls the API itself (issue 26, docs/adding-a-feature.md step 6): a `.tsx` file
 * calls its feature's store actions or action functions (`<feature>-store.ts`, `<feature>-actions.ts`,
 * `renderer/src/state/`), and only `.ts` modules import the bridge (renderer/src/bridge, the API
 * client and the events).
 */
const root = path.resolve(import.meta.dirname, '../../..');
const src = path.join(root, 'renderer/src');
const bridge = path.join(src, 'bridge');


const tsxFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsxFiles(full);
    return e.name.endsWith('.tsx') ? [full] : [];
  });

/** The specifiers of `file`'s imports, re-exports and dynamic imports that resolve to the bridge. */
function bridgeImports(file: string, source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => {
      if (!spec.startsWith('.')) return false;
      const to = path.resolve(path.dirname(file), spec).replace(/\.(ts|tsx|js)$/, '');
      return to === bridge || to.startsWith(bridge + path.sep);
    });
}


describe('components and the API client', () => {
  it('no .tsx file in renderer/src imports the bridge', () => {
    const files = tsxFiles(src);
    // The tree was really read.
    expect(files.length).toBeGreaterThan(50);
    const found = files
      .flatMap((f) => bridgeImports(f, readFileSync(f, 'utf8')).map((spec) => `${path.relative(root, f)} imports '${spec}'`));
    expect(found).toEqual([]);
  });

  it.each([
    ['screens/x/A.tsx', "import { api } from '../../bridge';"],
    ['screens/x/A.tsx', "import { api } from '../../bridge/index';"],
    ['components/A.tsx', "import type { HostLost } from '../bridge/ws-bridge';"],
    ['A.tsx', "export { events } from './bridge';"],
    ['screens/A.tsx', "const b = await import('../bridge');"],
  ])('finds the bridge imported by %s: %s', (file, source) => {
    expect(bridgeImports(path.join(src, file), source)).toHaveLength(1);
  });

  it.each([
    ['screens/x/A.tsx', "import { saveX } from './x-actions';"],
    ['screens/x/A.tsx', "import { useSync } from '../../state/sync-store';"],
    ['screens/x/A.tsx', "import { bridgeOf } from '../bridges';"],
    ['screens/x/A.tsx', "import type { Unit } from '#contract';"],
  ])('lets %s import: %s', (file, source) => {
    expect(bridgeImports(path.join(src, file), source)).toEqual([]);
  });
});
