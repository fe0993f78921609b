import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolEntry } from '../../../scripts/node-tool';

/**
 * On Windows `node_modules/.bin/<tool>` is a `.cmd` shim (and `npm`, `npx` are `npm.cmd`,
 * `npx.cmd`): child_process cannot start a `.cmd` without a shell (ENOENT, or EINVAL since Node's
 * CVE-2024-27980 fix), so `npm run package` stopped at its first step on the Windows runner. Tools
 * run through `process.execPath` and their JavaScript entry (scripts/node-tool.ts). This test reads
 * every child_process call in the code and fails on a `.bin/` path — written in the call or held in
 * a variable the call starts — and on a `.cmd`/`.bat` file or an npm command started without `shell`.
 */
const root = path.resolve(import.meta.dirname, '../../..');
const FOLDERS = ['scripts', 'test', 'bench', 'main', 'tools', 'server', 'native', 'preload'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|tsx|mjs|cjs|js)$/.test(e.name) ? [p] : [];
  });
}

/** The text of the call whose `(` is at `open`, up to its matching `)` (strings and template literals skipped). */
function callText(source: string, open: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return source.slice(open + 1, i);
  }
  return source.slice(open + 1);
}

const BIN_PATH = /['"`]\.bin['"`]|\.bin[/\\]|[/\\]\.bin['"`]/;
/** Commands that are `.cmd` files on Windows. */
const CMD_FILE = /^['"`]([^'"`]*\.(?:cmd|bat)|npm|npx|pnpm|yarn|corepack)['"`]$/i;

/** Each spawn of a `.bin/` path or a shell-less `.cmd` in `source`, as `line: call`. */
function badSpawns(source: string): string[] {
  const aliases = [...source.matchAll(/const (\w+) = promisify\((?:execFile|exec)\)/g)].map((m) => m[1]!);
  const launchers = ['execFileSync', 'execFile', 'spawnSync', 'spawn', 'execSync', 'fork', ...aliases];
  // Variables built from a .bin path: `const tsx = path.join(root, 'node_modules', '.bin', 'tsx')`.
  const binVars = new Set([...source.matchAll(/(?:const|let|var)\s+(\w+)\s*=([^;]*)/g)].filter((m) => BIN_PATH.test(m[2]!)).map((m) => m[1]!));
  const found: string[] = [];
  for (const m of source.matchAll(new RegExp(`(?<![.\\w])(?:${launchers.join('|')})\\s*\\(`, 'g'))) {
    const args = callText(source, m.index + m[0].length - 1);
    const first = args.split(/,(?![^([{]*[)\]}])/)[0]!.trim();
    const line = source.slice(0, m.index).split('\n').length;
    const bad = BIN_PATH.test(args) || binVars.has(first) || (CMD_FILE.test(first) && !/\bshell\s*:/.test(args));
    if (bad) found.push(`${line}: ${m[0]}${args.replace(/\s+/g, ' ').slice(0, 120)})`);
  }
  return found;
}

describe('no spawn of node_modules/.bin or a shell-less .cmd', () => {
  const files = FOLDERS.flatMap((f) => sourceFiles(path.join(root, f))).filter((f) => f !== import.meta.filename);

  it('reads the code of every folder that starts processes', () => {
    expect(files.length).toBeGreaterThan(100);
    const starting = files.filter((f) => /\b(spawn|execFile|spawnSync|execFileSync)\s*\(/.test(readFileSync(f, 'utf8')));
    expect(starting.map((f) => path.relative(root, f))).toEqual(expect.arrayContaining(['scripts/package.ts', 'scripts/start.ts', 'scripts/embedded-server.ts', 'bench/abuse.ts']));
  });

  it('finds none in scripts, tests, benchmarks, tools and the app', () => {
    const bad = files.flatMap((f) => badSpawns(readFileSync(f, 'utf8')).map((b) => `${path.relative(root, f)}:${b}`));
    expect(bad).toEqual([]);
  });

  it('the check itself: catches what the code did before, and lets the replacements pass', () => {
    // scripts/package.ts, scripts/embedded-server.ts, bench/abuse.ts and the integration tests as they
    // were. (The launchers' names are interpolated so that system-programs.test.ts, which reads
    // program names from calls in the code, does not take these examples for programs we run.)
    const [execFileSync, spawn, spawnSync, execFile] = ['execFileSync', 'spawn', 'spawnSync', 'execFile'];
    expect(badSpawns(`${execFileSync}(path.join(root, 'node_modules', '.bin', 'vite'), ['build'], { cwd: root });`)).toHaveLength(1);
    expect(badSpawns(`const tsx = path.join(opts.root, 'node_modules', '.bin', 'tsx');\nconst child = ${spawn}(tsx, [main], { cwd });`)).toHaveLength(1);
    expect(badSpawns(`${spawn}('bash', ['-c', 'exec "$0" "$@"', path.join(import.meta.dirname, '../node_modules/.bin/tsx'), file], {});`)).toHaveLength(1);
    expect(badSpawns(`const run = promisify(${execFile});\nawait run('npx', ['tsx', 'tools/verify-log.ts'], { cwd: root });`)).toHaveLength(1);
    expect(badSpawns(`${spawnSync}('C:\\\\tools\\\\sign.cmd', [file]);`)).toHaveLength(1);
    expect(badSpawns(`${spawnSync}('npm', ['ci'], { shell: process.platform === 'win32' });`)).toEqual([]);
    expect(badSpawns(`${execFileSync}(...nodeTool(root, 'vite', ['build']), { cwd: root });`)).toEqual([]);
    expect(badSpawns(`${spawn}(process.execPath, ['--import', 'tsx', file]);`)).toEqual([]);
  });

  it('the replacement resolves each tool to a JavaScript file Node runs', () => {
    expect(toolEntry(root, 'vite')).toMatch(/node_modules[/\\]vite[/\\].*\.js$/);
    expect(toolEntry(root, 'tsx')).toMatch(/node_modules[/\\]tsx[/\\]dist[/\\]cli\.mjs$/);
    expect(toolEntry(root, '@action-validator/cli', 'action-validator')).toMatch(/cli\.mjs$/);
    expect(() => toolEntry(root, 'vite', 'no-such-command')).toThrow(/no command/);
  });
});
