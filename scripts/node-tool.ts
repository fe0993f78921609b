/**
 * Runs a package's command without `node_modules/.bin/`: on Windows `.bin/vite` is a `.cmd` shim,
 * which `spawn`/`execFile` cannot start without a shell (ENOENT, or EINVAL since Node's
 * CVE-2024-27980 fix). The command's JavaScript entry (its package.json `bin`) runs in this very
 * Node (`process.execPath`) instead, the same on every platform.
 * test/unit/packaging/no-bin-spawn.test.ts fails on any spawn of a `.bin/` path or a shell-less `.cmd`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The JavaScript file behind `<root>/node_modules/.bin/<command>` of package `pkg`. */
export function toolEntry(root: string, pkg: string, command?: string): string {
  const dir = path.join(root, 'node_modules', pkg);
  const { bin, name } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; bin?: string | Record<string, string> };
  const entry = typeof bin === 'string' ? bin : bin?.[command ?? name.replace(/^@[^/]+\//, '')];
  if (!entry) throw new Error(`${pkg} has no command ${command ?? name}`);
  return path.join(dir, entry);
}

/** `[file, argv]` for child_process: the tool's entry run by this Node. */
export function nodeTool(root: string, pkg: string, args: readonly string[], command?: string): [string, string[]] {
  return [process.execPath, [toolEntry(root, pkg, command), ...args]];
}

/** `[file, argv]` for a TypeScript file run by this Node with tsx's loader (one process, as `tsx file` but without the shim). */
export function nodeTsx(root: string, file: string, args: readonly string[] = []): [string, string[]] {
  const loader = path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  return [process.execPath, ['--import', pathToFileURL(loader).href, file, ...args]];
}
