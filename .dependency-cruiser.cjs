/**
 * The import graph's rules (docs/architecture.md, "Import graph"), checked by
 * test/unit/architecture/import-graph.test.ts; by hand: `npx depcruise server main tools`.
 * Type-only imports count: a cycle through types is still a cycle for a reader.
 */

/** Folders that hold one feature each; every other folder of server/ and main/ is generic. */
const FEATURES = {
  server: ['assignments', 'clients', 'consents', 'daynotes', 'deviations', 'incidents', 'journal', 'messages', 'notices', 'plans', 'support'],
  main: ['admin', 'assignments', 'consents', 'daynotes', 'deviations', 'incidents', 'journal', 'messages', 'plans', 'units'],
};
/** The generic folders: what the features build on, so they import no feature. */
const GENERIC = {
  server: ['admin', 'audit', 'auth', 'db', 'http', 'routes', 'seed', 'sync'],
  main: ['access', 'config', 'exports', 'host', 'renderer-serving', 'session', 'store', 'support', 'sync'],
};

const folders = (layer, names) => `^${layer}/(${names.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'An import cycle in server/, main/ or tools/: one of the modules must stop importing the other (move what both need below them).',
      severity: 'error',
      from: { path: '^(server|main|tools)/' },
      to: { circular: true },
    },
    ...['server', 'main'].map((layer) => ({
      name: `${layer}-generic-imports-feature`,
      comment: `A generic folder of ${layer}/ imports a feature folder: hand the feature in from above (${layer}/app.ts, ${layer === 'server' ? 'server/kinds.ts' : 'main/store/kinds.ts'}) instead.`,
      severity: 'error',
      from: { path: folders(layer, GENERIC[layer]) },
      to: { path: folders(layer, FEATURES[layer]) },
    })),
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test|renderer|bench|scripts)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
// For the test (every folder is one or the other); not enumerable, so not part of the configuration.
Object.defineProperty(module.exports, 'folders', { value: { FEATURES, GENERIC } });
