/**
 * `npm run package`: the workstation as IT installs it (docs/windows.md).
 *
 *   1. builds the renderer (Vite) and the Electron bundles (scripts/build-electron.ts);
 *   2. runs electron-builder with electron-builder.yml: the app directory with app.asar (every
 *      `.node` file unpacked beside it) and the Electron fuses flipped in the executable;
 *   3. where the real Electron binary is present (a Windows build machine): the NSIS per-machine
 *      installer and the MSI. Where it cannot be fetched (our build machines), the app directory only,
 *      built on a stand-in Electron distribution (below) — the same asar, the same fuse flipping.
 *
 * Options: `--out DIR` (default release/), `--stand-in` (use the stand-in even if Electron is there),
 * `--demo` (the demo build: with the software card bundle, installers named …-demo; never for production),
 * `--release` (a release: fails unless signed, electron-builder's forceCodeSigning).
 *
 * Signing (docs/windows.md, "Sign"), from the environment the release pipeline sets from its secrets:
 *   - Azure Trusted Signing: AZURE_SIGNING_ENDPOINT, AZURE_SIGNING_ACCOUNT, AZURE_SIGNING_PROFILE,
 *     AZURE_SIGNING_PUBLISHER (the certificate's subject CN), plus AZURE_TENANT_ID, AZURE_CLIENT_ID,
 *     AZURE_CLIENT_SECRET, which electron-builder's Trusted Signing step reads itself;
 *   - or signtool with a certificate whose key stays in a hardware security module (the HSM's key
 *     storage provider on the build machine): WINDOWS_SIGN_CERT_SHA1, the certificate's thumbprint in
 *     the machine's certificate store.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron';
import { nodeTool } from './node-tool';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The marker Electron's fuse wire follows in the executable (@electron/fuses' SENTINEL). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/**
 * Electron's fuse wire as shipped (version 1, eight fuses; '1' enabled, '0' disabled): runAsNode,
 * cookie encryption, NODE_OPTIONS, --inspect, asar integrity, only-load-from-asar, browser V8
 * snapshot, file:// privileges. electron-builder flips them as electron-builder.yml says.
 */
const SHIPPED_FUSE_WIRE = '10110001';

/** The installed Electron binary's distribution folder, if the `electron` package has one. */
function realElectronDist(): string | null {
  try {
    const dir = path.join(path.dirname(require.resolve('electron/package.json')), 'dist');
    return existsSync(path.join(dir, 'version')) ? dir : null;
  } catch {
    return null;
  }
}

const electronVersion = (): string => (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;

/**
 * A stand-in for the Electron distribution folder where the real one cannot be fetched: an
 * executable that only says what it is, carrying Electron's fuse wire so the fuses are flipped in
 * it exactly as in the real binary, and the `version` file. electron-builder copies it, renames
 * the executable to the product's name and writes resources/app.asar beside it.
 */
export function createStandInElectron(dir: string, platform: NodeJS.Platform = process.platform): string {
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const exe = path.join(dir, platform === 'win32' ? 'electron.exe' : 'electron');
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL, 'latin1'), Buffer.from([1, SHIPPED_FUSE_WIRE.length]), Buffer.from(SHIPPED_FUSE_WIRE, 'latin1')]);
  writeFileSync(
    exe,
    Buffer.concat([Buffer.from('#!/bin/sh\necho "Stand-in Electron: the real binary is added on a Windows build machine (docs/windows.md)." >&2\nexit 1\n# '), wire, Buffer.from('\n')]),
  );
  chmodSync(exe, 0o755);
  writeFileSync(path.join(dir, 'version'), electronVersion());
  return dir;
}

export interface PackageOptions {
  /** Where electron-builder writes (default release/). */
  outDir?: string;
  /** Build on the stand-in even where the real Electron is installed. */
  standIn?: boolean;
  /** Skip the Vite and esbuild steps (the caller has built dist/). */
  skipBuild?: boolean;
  /**
   * The demo build: the software card bundle (dist/main/softcard-demo.cjs, DEMO_CARD) goes in, and
   * the installers are named …-demo. The production build (default) leaves it out.
   */
  demo?: boolean;
  /** A release: signing is required (forceCodeSigning). */
  release?: boolean;
}

/**
 * The signing part of the configuration, from the environment (names above): Azure Trusted Signing,
 * or signtool with an HSM-held key by its certificate's thumbprint; `release` makes an unsigned
 * build fail instead of passing silently. Nothing in the environment: unsigned (and an unsigned
 * build does not update itself, main/electron/updater.ts).
 */
export function signingConfig(env: NodeJS.ProcessEnv, release: boolean): { forceCodeSigning?: true; win?: Record<string, unknown> } {
  const azure = [env.AZURE_SIGNING_ENDPOINT, env.AZURE_SIGNING_ACCOUNT, env.AZURE_SIGNING_PROFILE, env.AZURE_SIGNING_PUBLISHER];
  const win = azure.every(Boolean)
    ? { azureSignOptions: { endpoint: azure[0], codeSigningAccountName: azure[1], certificateProfileName: azure[2], publisherName: azure[3] } }
    : env.WINDOWS_SIGN_CERT_SHA1
      ? { signtoolOptions: { certificateSha1: env.WINDOWS_SIGN_CERT_SHA1, signingHashAlgorithms: ['sha256'], rfc3161TimeStampServer: 'http://timestamp.acs.microsoft.com' } }
      : null;
  if (azure.some(Boolean) && !azure.every(Boolean)) throw new Error('Azure Trusted Signing: AZURE_SIGNING_ENDPOINT, AZURE_SIGNING_ACCOUNT, AZURE_SIGNING_PROFILE och AZURE_SIGNING_PUBLISHER måste alla vara satta');
  return { ...(release ? { forceCodeSigning: true as const } : {}), ...(win ? { win } : {}) };
}

/** What only the demo build holds (a production install has no software card at all). */
export const DEMO_ONLY_FILES = ['dist/main/softcard-demo.cjs'];

export interface PackageResult {
  /** The unpacked app directory: the executable, resources/app.asar and resources/app.asar.unpacked. */
  appDir: string;
  executable: string;
  asar: string;
  /** True when built on the stand-in: no installer, the executable is not Electron. */
  standIn: boolean;
}

export async function packageApp(opts: PackageOptions = {}): Promise<PackageResult> {
  const outDir = path.resolve(root, opts.outDir ?? 'release');
  if (!opts.skipBuild) {
    execFileSync(...nodeTool(root, 'vite', ['build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn']), { cwd: root, stdio: 'inherit' });
    await buildElectron();
  }
  const real = opts.standIn ? null : realElectronDist();
  const electronDist = real ?? createStandInElectron(path.join(outDir, 'electron-stand-in'));
  const { build, Platform } = await import('electron-builder');
  const platform = real ? Platform.current() : Platform.fromString(process.platform);
  // With the real binary on Windows: the targets of electron-builder.yml (NSIS, MSI). Otherwise
  // the app directory, without rebuilding native modules for Electron (its headers, like its
  // binary, cannot be fetched here: the stand-in app carries Node's builds of them).
  const targets = real && process.platform === 'win32' ? platform.createTarget() : platform.createTarget('dir');
  await build({
    projectDir: root,
    targets,
    publish: 'never',
    config: {
      directories: { output: outDir },
      electronDist,
      electronVersion: electronVersion(),
      ...(real ? {} : { npmRebuild: false }),
      ...signingConfig(process.env, opts.release ?? false),
      // Appended to electron-builder.yml's `files` (electron-builder concatenates the lists).
      ...(opts.demo
        ? { nsis: { artifactName: '${productName}-${version}-demo-setup.${ext}' }, msi: { artifactName: '${productName}-${version}-demo.${ext}' } }
        : { files: DEMO_ONLY_FILES.map((f) => `!${f}`) }),
    },
  });
  const appDir = path.join(outDir, `${platformDirName(process.platform)}-unpacked`);
  const exeName = process.platform === 'win32' ? 'Omsorgsportalen.exe' : 'omsorgsportalen';
  return { appDir, executable: path.join(appDir, exeName), asar: path.join(appDir, 'resources', 'app.asar'), standIn: !real };
}

const platformDirName = (p: NodeJS.Platform): string => (p === 'win32' ? 'win' : p === 'darwin' ? 'mac' : 'linux');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
  const result = await packageApp({ ...(out ? { outDir: out } : {}), standIn: args.includes('--stand-in'), demo: args.includes('--demo'), release: args.includes('--release') });
  console.log(`Appkatalog: ${path.relative(process.cwd(), result.appDir)} (app.asar och app.asar.unpacked under resources/)`);
  if (result.standIn) {
    console.log('Byggd på en ersättare för Electron (binären kan inte hämtas här): ingen installerare. På en Windows-byggdator med Electron blir det NSIS och MSI; se docs/windows.md.');
  }
}
