/**
 * `npm run build:server`: the municipal server as an artifact IT deploys (docs/operations.md).
 *
 *   dist/server/main.js            the server and its commands, one ES module bundle for plain `node`
 *                                  (`node main.js` serves; `node main.js migrate` migrates and exits)
 *   dist/server/server/…/migrations/*.sql  the migrations, at the place of their source folder
 *   dist/server/package.json       a package of its own: exactly the packages the bundle imports, at
 *   dist/server/package-lock.json  the versions of the repository's lock, so `npm ci --omit=dev` in
 *                                  dist/server installs the runtime and nothing else
 *   dist/server/omsorg-server.service, Containerfile  the systemd unit and the container recipe
 *   dist/server/README-operations.md  docs/operations.md: how to deploy, configure, observe, back up
 *
 * The root package.json's `dependencies` stay the Electron app's (they are what electron-builder
 * packs into app.asar); the server's packages are devDependencies there and `dependencies` here.
 *
 * Code that finds files from `import.meta.url` (the migrations folders, server/db/migrate.ts; the package.json for
 * the version) keeps working: in the bundle each source file's `import.meta.url` is the URL its
 * file would have under dist/server/ (server/plans/sync.ts → dist/server/server/plans/sync.ts),
 * and the .sql files are copied to exactly there.
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_OUT = path.join(root, 'dist', 'server');

interface LockPackage {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}
interface Lock {
  name: string;
  version: string;
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
}

/** `import.meta.url` of each bundled source file, as if the file sat under dist/server/ (see above). */
const sourceUrls: Plugin = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = path.relative(root, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${rel}`)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/** The package name of a bare import (`pg`, `@peculiar/x509`, `zod/v4/locales` → `zod`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every `migrations/*.sql` under server/, relative to the repository. */
async function migrationFiles(dir = path.join(root, 'server')): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await migrationFiles(full)));
    else if (entry.name.endsWith('.sql') && path.basename(dir) === 'migrations') found.push(path.relative(root, full));
  }
  return found;
}

/**
 * The part of the repository's lock the runtime packages need: their entries and, transitively,
 * their dependencies' (resolved as Node does, from the nearest node_modules upwards), with the
 * development marks dropped, since here they are the runtime.
 */
export function runtimeLock(lock: Lock, runtime: Record<string, string>, name: string, version: string): Lock {
  const keep = new Map<string, LockPackage>();
  const resolve = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`;
      if (lock.packages[candidate]) return candidate;
      if (!base) return undefined;
      const at = base.lastIndexOf('/node_modules/');
      base = at < 0 ? '' : base.slice(0, at);
    }
  };
  const visit = (from: string, dep: string, optional: boolean) => {
    const key = resolve(from, dep);
    if (!key) {
      if (optional) return;
      throw new Error(`build:server: ${dep} (needed by ${from || 'the server'}) is not in package-lock.json`);
    }
    if (keep.has(key)) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[key]!;
    keep.set(key, entry);
    for (const d of Object.keys(entry.dependencies ?? {})) visit(key, d, false);
    for (const d of Object.keys(entry.optionalDependencies ?? {})) visit(key, d, true);
    for (const d of Object.keys(entry.peerDependencies ?? {})) visit(key, d, true);
  };
  for (const dep of Object.keys(runtime)) visit('', dep, false);
  const packages: Record<string, LockPackage> = { '': { name, version, dependencies: runtime } };
  for (const key of [...keep.keys()].sort()) packages[key] = keep.get(key)!;
  return { name, version, lockfileVersion: lock.lockfileVersion, requires: true, packages } as Lock;
}

/** Builds the artifact into `outDir` (default dist/server), emptied first. */
export async function buildServer(outDir = SERVER_OUT): Promise<{ dir: string; dependencies: Record<string, string> }> {
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'server/main.ts' },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [sourceUrls],
  });

  const rootPkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    engines?: Record<string, string>;
  };
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as Lock;
  const imported = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && !imp.path.startsWith('node:')) imported.add(packageOf(imp.path));
  }
  const dependencies: Record<string, string> = {};
  for (const dep of [...imported].sort()) {
    const version = lock.packages[`node_modules/${dep}`]?.version;
    if (!version) throw new Error(`build:server: the bundle imports ${dep}, which package-lock.json does not hold`);
    dependencies[dep] = version;
  }

  const name = 'omsorgsportalen-server';
  const serverPkg = {
    name,
    version: rootPkg.version,
    private: true,
    description: 'Omsorgsportalens server (kommunens verksamhetssystem för arbetsstationerna), byggd med npm run build:server.',
    type: 'module',
    main: 'main.js',
    bin: { 'omsorg-server': 'main.js' },
    engines: rootPkg.engines,
    scripts: { start: 'node main.js', migrate: 'node main.js migrate' },
    dependencies,
  };
  await writeFile(path.join(outDir, 'package.json'), `${JSON.stringify(serverPkg, null, 2)}\n`);
  await writeFile(path.join(outDir, 'package-lock.json'), `${JSON.stringify(runtimeLock(lock, dependencies, name, rootPkg.version), null, 2)}\n`);

  for (const file of await migrationFiles()) {
    const target = path.join(outDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(root, file), target);
  }
  for (const file of ['omsorg-server.service', 'Containerfile']) await copyFile(path.join(root, 'deploy', file), path.join(outDir, file));
  await copyFile(path.join(root, 'docs', 'operations.md'), path.join(outDir, 'README-operations.md'));
  return { dir: outDir, dependencies };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildServer().then(
    ({ dir, dependencies }) => process.stdout.write(`server built in ${path.relative(root, dir)} (runtime packages: ${Object.keys(dependencies).join(', ')})\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
