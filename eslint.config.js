import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Layering rules of docs/architecture.md, enforced: a wrong import fails `npm test`.
 * - contract/ imports nothing of ours and nothing of node, DOM libraries or electron;
 * - renderer/ imports only contract/ (and browser libraries);
 * - only main/electron/ (and preload/) import electron;
 * - server/ shares only contract/ with the client;
 * - native/ knows nothing of sessions, UI, server or electron.
 */
const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'worker_threads', 'url', 'stream', 'events', 'util', 'zlib', 'tls', 'dgram', 'dns', 'module', 'process', 'buffer', 'timers', 'readline'];
const nativeOnly = ['pcsclite', 'better-sqlite3*', 'pg', '@electric-sql/*', 'fastify', '@fastify/*', 'pino', 'ws'];
const electron = { group: ['electron', 'electron/*'], message: 'Only main/electron/ and preload/ may import electron.' };
const ours = (dirs, message) => ({ group: dirs.flatMap((d) => [`**/${d}/**`, `**/${d}`]), message });

/** One import order everywhere (`npx eslint --fix .` sorts a file). */
const IMPORT_ORDER = 'error';

const restrict = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'test-results/', 'renderer/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['contract/**'],
    rules: restrict(
      electron,
      { group: nodeBuiltins, message: 'contract/ is pure TypeScript: no Node built-ins.' },
      { group: [...nativeOnly, 'react', 'react-dom', 'zustand'], message: 'contract/ depends on zod only.' },
      ours(['main', 'renderer', 'preload', 'native', 'server', 'tools', 'test', 'bench'], 'contract/ depends on nothing of ours.'),
    ),
  },
  {
    // One order of imports everywhere: Node built-ins, packages, then ours (farthest first); sorted
    // within each group, type-only imports beside the values from the same place.
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/order': [
        IMPORT_ORDER,
        {
          groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'],
          'newlines-between': 'never',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
    },
  },
  {
    // The rules of hooks, and effects that name everything they use (refs included).
    files: ['renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      // A dependency left out is a stale value in an effect: an error here, not a warning nobody reads.
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      electron,
      { group: nodeBuiltins, message: 'renderer/ runs in a sandboxed page: no Node built-ins.' },
      { group: nativeOnly, message: 'renderer/ talks only to the typed API.' },
      ours(['main', 'preload', 'native', 'server', 'tools', 'bench'], 'renderer/ depends on contract/ only.'),
    ),
  },
  {
    files: ['preload/**'],
    rules: restrict(
      { group: nodeBuiltins, message: 'The sandboxed preload has no Node built-ins.' },
      { group: nativeOnly, message: 'preload/ only bridges the contract.' },
      ours(['main', 'renderer', 'native', 'server', 'tools', 'bench'], 'preload/ depends on contract/ only.'),
    ),
  },
  {
    files: ['main/**'],
    ignores: ['main/electron/**'],
    rules: restrict(electron, ours(['renderer', 'preload', 'server', 'tools'], 'main/ services talk to the server over HTTP, not by import.')),
  },
  {
    files: ['main/electron/**'],
    rules: restrict(ours(['renderer', 'server', 'tools'], 'The Electron shell wires main/ services; it does not import the server or renderer.')),
  },
  {
    files: ['native/**'],
    rules: restrict(electron, ours(['main', 'renderer', 'preload', 'server', 'tools'], 'native/ knows nothing of sessions, UI or the server.')),
  },
  {
    files: ['server/**'],
    rules: restrict(electron, ours(['main', 'renderer', 'preload', 'native', 'tools'], 'server/ shares only contract/ with the client.')),
  },
);
