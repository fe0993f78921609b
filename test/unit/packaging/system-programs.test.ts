import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every system program the tests, benchmarks, scripts and tools run must come from a Debian
 * package that `scripts/test.sh` installs; otherwise a new machine fails with ENOENT (as
 * pdftotext did). The program names are read from the code: the first string literal given to
 * child_process's functions and to the project's own wrappers around them, `[program, argv]`
 * pairs, the commands inside `sh -c '…'`, and absolute /usr paths. A program missing from the
 * table below fails the test, so that the table stays honest.
 */
const root = path.resolve(import.meta.dirname, '../../..');
const FOLDERS = ['test', 'bench', 'scripts', 'tools'];

/** Program (or the /usr path prefix of a file) → the Debian package that has it; null: comes with Node.js. */
const PACKAGE_OF: Record<string, string | null> = {
  node: null,
  npm: null,
  npx: null,
  pdftotext: 'poppler-utils',
  openssl: 'openssl',
  chattr: 'e2fsprogs',
  unshare: 'util-linux',
  taskset: 'util-linux',
  runuser: 'util-linux',
  mount: 'util-linux',
  chown: 'coreutils',
  sh: 'dash',
  ip: 'iproute2',
  pcscd: 'pcscd',
  'pkcs15-tool': 'opensc',
  'pkcs11-tool': 'opensc',
  'softhsm2-util': 'softhsm2',
  initdb: 'postgresql',
  pg_ctl: 'postgresql',
  psql: 'postgresql',
  pg_dump: 'postgresql', // postgresql-client, a dependency of postgresql
  pg_restore: 'postgresql',
  pgbouncer: 'pgbouncer',
  '/usr/sbin/pgbouncer': 'pgbouncer',
  bash: 'bash',
  // perl itself is Essential (perl-base); the tests run it for Auth::Yubikey_Decrypter, the independent YubiKey OTP decoder.
  perl: 'libauth-yubikey-decrypter-perl',
  git: 'git', // git archive of the previous release (test/support/previous-release.ts)
  gdb: 'gdb', // where a child that would not stop was blocked, before it is killed (test/support/stop-child.ts)
  tar: 'tar',
  '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so': 'opensc',
  '/usr/bin/chromium': 'chromium',
  '/usr/lib/postgresql/': 'postgresql',
  '/usr/lib/softhsm/': 'softhsm2',
  '/usr/lib/pcsc/drivers/serial/libifdvpcd': 'vsmartcard-vpcd',
  '/usr/include': null, // hidden by a tmpfs in the fresh-install test, not used
  '/usr/include/PCSC': null,
  '/usr/sbin': null, // searched for programs, not one itself
};

/** Essential packages (dpkg's Essential: yes) are on every Debian system; test.sh need not name them. */
const ESSENTIAL = new Set(['coreutils', 'dash', 'bash', 'tar']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|tsx|mjs|cjs|js)$/.test(e.name) ? [p] : [];
  });
}

/** The programs `source` runs, by the patterns above. Exported logic kept here: only this test uses it. */
function programsIn(source: string): string[] {
  const found: string[] = [];
  // child_process's functions, local aliases (`const run = promisify(execFile)`) and pcscd-setup's which().
  const aliases = [...source.matchAll(/const (\w+) = promisify\((?:execFile|exec)\)/g)].map((m) => m[1]!);
  const names = ['execFileSync', 'execFile', 'spawnSync', 'spawn', 'execSync', 'exec', 'fork', 'which', ...aliases].join('|');
  const launcher = new RegExp(`(?<![.\\w])(?:${names})\\)?\\s*\\(\\s*['"\`]([^'"\`\\s]+)['"\`]`, 'g');
  for (const m of source.matchAll(launcher)) found.push(m[1]!);
  // pgTool(binDir, 'initdb', …): the tool is the second argument.
  for (const m of source.matchAll(/pgTool\(\s*\w+,\s*'([^']+)'/g)) found.push(m[1]!);
  // [file, argv] pairs chosen by a condition: isRoot ? ['runuser', ['-u', …]] : ….
  for (const m of source.matchAll(/[?:]\s*\[\s*'([\w.-]+)',\s*\[/g)) found.push(m[1]!);
  // sh -c '<commands>': the first word of each command.
  for (const m of source.matchAll(/'(?:sh|bash)',\s*'-c',\s*'([^']+)'/g)) {
    found.push('sh');
    for (const cmd of m[1]!.split(/&&|\|\||;|\|/)) {
      const words = cmd.trim().split(/\s+/);
      const first = words[0] === 'exec' ? words[1] : words[0];
      if (first && first !== 'true') found.push(first);
    }
  }
  // Absolute paths under /usr (programs, libraries, drivers).
  for (const m of source.matchAll(/['"`](\/usr\/[^'"`$\s]*)/g)) found.push(m[1]!);
  return found;
}

function packageOf(program: string): string | null | undefined {
  if (program in PACKAGE_OF) return PACKAGE_OF[program];
  if (program.startsWith('/usr/')) {
    const prefix = Object.keys(PACKAGE_OF)
      .filter((k) => k.startsWith('/usr/') && program.startsWith(k))
      .sort((a, b) => b.length - a.length)[0];
    return prefix === undefined ? undefined : PACKAGE_OF[prefix];
  }
  return undefined;
}

function installedByTestSh(): Set<string> {
  const script = readFileSync(path.join(root, 'scripts', 'test.sh'), 'utf8');
  const list = /^apt_packages=\(([^)]*)\)/m.exec(script);
  if (!list) throw new Error('scripts/test.sh has no apt_packages=( … ) list');
  return new Set(list[1]!.split(/\s+/).filter(Boolean));
}

describe('the system programs the tests, benchmarks and scripts run', () => {
  const uses = new Map<string, Set<string>>();
  for (const file of FOLDERS.flatMap((f) => sourceFiles(path.join(root, f))).filter((f) => f !== import.meta.filename)) {
    for (const program of programsIn(readFileSync(file, 'utf8'))) {
      const files = uses.get(program) ?? new Set<string>();
      files.add(path.relative(root, file));
      uses.set(program, files);
    }
  }

  it('are found in the code (the scanner reads the patterns the code uses)', () => {
    // A scanner that finds nothing would pass the next tests vacuously.
    for (const known of ['pdftotext', 'openssl', 'pkcs15-tool', 'initdb', 'runuser', 'pcscd', 'taskset', 'mount', '/usr/bin/chromium']) {
      expect(uses.has(known), known).toBe(true);
    }
  });

  it('each map to a Debian package in the table (an unknown program fails, to keep the table honest)', () => {
    const unknown = [...uses].filter(([p]) => packageOf(p) === undefined).map(([p, files]) => `${p} (${[...files].join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('each come from a package scripts/test.sh installs', () => {
    const installed = installedByTestSh();
    const notInstalled = [...uses]
      .map(([program, files]) => ({ program, files, pkg: packageOf(program) }))
      .filter((u): u is { program: string; files: Set<string>; pkg: string } => typeof u.pkg === 'string' && !ESSENTIAL.has(u.pkg) && !installed.has(u.pkg))
      .map((u) => `${u.program} → ${u.pkg} (${[...u.files].join(', ')})`);
    expect(notInstalled).toEqual([]);
  });

  it('the check itself: a program whose package test.sh lacks is reported', () => {
    const installed = installedByTestSh();
    installed.delete('poppler-utils');
    const pkg = packageOf(programsIn(`await promisify(execFile)('pdftotext', ['-layout', file, '-']);`)[0]!);
    expect(pkg).toBe('poppler-utils');
    expect(installed.has(pkg!)).toBe(false);
    expect(packageOf(programsIn(`spawnSync('frobnicate', [])`)[0]!)).toBeUndefined();
  });
});
