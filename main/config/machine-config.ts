import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CardStackOption } from '../session/card-access';

/**
 * The machine-wide configuration an IT department deploys (docs/windows.md): one JSON file per
 * PC, written by the MSI's properties, group policy or Intune, read at every start of the packaged
 * app. Users cannot change it (ProgramData is writable only by administrators by default).
 *
 *   { "serverUrl": "https://omsorg.kommun.example",
 *     "updateFeed": "https://uppdatering.kommun.example/omsorgsportalen/",
 *     "idleTimeoutMinutes": 15,
 *     "card": { "type": "pcsc" } }           or { "type": "pkcs11", "module": "C:\\...\\iidp11.dll" }
 *     "idp": { "issuer": "https://idp.inera.se/oidc" }   (optional: login through the identity provider)
 */

/**
 * Where the file is: %ProgramData%\Omsorgsportalen\config.json on Windows, /etc/omsorgsportalen/config.json
 * elsewhere. OMSORG_CONFIG names another file only where `overrideAllowed` (see resolveSettings).
 */
export function machineConfigPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, overrideAllowed = true): string {
  if (env.OMSORG_CONFIG && overrideAllowed) return env.OMSORG_CONFIG;
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'Omsorgsportalen', 'config.json');
  return '/etc/omsorgsportalen/config.json';
}

/**
 * The machine-wide policy that lets the installed app follow OMSORG_CONFIG: this file in the app's
 * resources folder (C:\Program Files\Omsorgsportalen\resources\, writable only by administrators,
 * outside the signed and integrity-checked app.asar). Test machines and a deliberate second
 * installation create it; a managed PC does not have it, so a user's environment variable cannot
 * point the app at another server. Every update reinstalls the folder and removes it.
 */
export const CONFIG_OVERRIDE_POLICY_FILE = 'allow-omsorg-config';

/** Whether the policy file is there (`resourcesPath`: Electron's process.resourcesPath; none in plain Node). */
export const configOverrideAllowed = (resourcesPath: string | undefined): boolean => !!resourcesPath && existsSync(path.join(resourcesPath, CONFIG_OVERRIDE_POLICY_FILE));

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** https, or http only to this computer (a server for development or a local proxy). */
const secureUrl = (what: string) =>
  z
    .string({ error: `${what} saknas eller är inte text` })
    .refine((s) => URL.canParse(s), { error: `${what} är ingen giltig adress`, abort: true })
    .refine(
      (s) => {
        const u = new URL(s);
        return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.test(u.hostname));
      },
      { error: `${what} måste börja med https:// (http tillåts bara till den egna datorn: localhost, 127.0.0.1)` },
    )
    .refine((s) => !new URL(s).username && !new URL(s).password, { error: `${what} får inte innehålla användarnamn eller lösenord` });

const cardProfile = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('pcsc') }),
    z.strictObject({
      type: z.literal('pkcs11'),
      module: z.string({ error: 'card.module saknas: sökvägen till kortleverantörens PKCS#11-modul (.dll)' }).min(1, { error: 'card.module är tom' }),
    }),
  ],
  { error: 'card.type måste vara "pcsc" eller "pkcs11"' },
);

export const machineConfigSchema = z.strictObject({
  serverUrl: secureUrl('serverUrl'),
  updateFeed: secureUrl('updateFeed').optional(),
  idleTimeoutMinutes: z
    .number({ error: 'idleTimeoutMinutes måste vara ett tal (minuter)' })
    .int({ error: 'idleTimeoutMinutes måste vara ett heltal' })
    .min(1, { error: 'idleTimeoutMinutes måste vara minst 1' })
    .max(240, { error: 'idleTimeoutMinutes får vara högst 240' })
    .optional(),
  card: cardProfile.default({ type: 'pcsc' }),
  /**
   * The organisation's identity provider (issue 29, docs/login.md): its issuer. The login opens the
   * system browser only towards it, whatever the server says.
   */
  idp: z.strictObject({ issuer: secureUrl('idp.issuer') }).optional(),
});

export type MachineConfig = z.infer<typeof machineConfigSchema>;
export type CardProfile = MachineConfig['card'];

/** A configuration file that cannot be used: which file, and what is wrong with it, in Swedish for the error window. */
export class MachineConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Inställningsfilen ${file} kan inte användas: ${problems.join('; ')}`);
    this.name = 'MachineConfigError';
  }
}

const valueAt = (json: unknown, at: readonly PropertyKey[]): unknown =>
  at.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), json);

function describeIssue(issue: z.core.$ZodIssue, json: unknown): string {
  if (issue.code === 'unrecognized_keys') return `okänd inställning ${issue.keys.map((k) => `"${[...issue.path, k].join('.')}"`).join(', ')}`;
  const field = issue.path.join('.');
  // zod's own wording for a missing required field is English; ours names it.
  if (issue.code === 'invalid_type' && valueAt(json, issue.path) === undefined) return issue.message.startsWith(`${field} saknas:`) ? issue.message : `${field} saknas`;
  return issue.message;
}

/** Parses the file's text; throws MachineConfigError saying what is wrong. */
export function parseMachineConfig(text: string, file: string): MachineConfig {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad and PowerShell write a BOM
  } catch (e) {
    throw new MachineConfigError(file, [`filen är inte giltig JSON (${(e as Error).message})`]);
  }
  const parsed = machineConfigSchema.safeParse(json);
  if (!parsed.success) throw new MachineConfigError(file, parsed.error.issues.map((i) => describeIssue(i, json)));
  return parsed.data;
}

/** Reads and checks the file; throws MachineConfigError if it is missing, unreadable or wrong. */
export function readMachineConfig(file: string): MachineConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MachineConfigError(file, [
      code === 'ENOENT'
        ? 'filen finns inte. IT-avdelningen lägger den där vid installationen (serverUrl är det enda som krävs)'
        : `filen kan inte läsas (${code ?? (e as Error).message})`,
    ]);
  }
  return parseMachineConfig(text, file);
}

/** What the shell hands the workstation, from the machine's configuration (or SERVER_URL in development). */
export interface WorkstationSettings {
  serverUrl: string;
  idleTimeoutMs?: number;
  card: CardProfile;
  /** The generic update feed (electron-updater); none: no automatic updates. */
  updateFeed?: string;
  /** The identity provider's issuer the machine allows (machine config `idp.issuer`). */
  idpIssuer?: string;
}

export const settingsFromConfig = (c: MachineConfig): WorkstationSettings => ({
  serverUrl: c.serverUrl,
  card: c.card,
  ...(c.idleTimeoutMinutes ? { idleTimeoutMs: c.idleTimeoutMinutes * 60_000 } : {}),
  ...(c.updateFeed ? { updateFeed: c.updateFeed } : {}),
  ...(c.idp ? { idpIssuer: c.idp.issuer } : {}),
});

/**
 * The packaged app always reads the machine's file — at its fixed place, unless the machine-wide
 * policy (`overrideAllowed`, CONFIG_OVERRIDE_POLICY_FILE) lets OMSORG_CONFIG name another. Started
 * from the project (`npm start`, `electron .`), SERVER_URL stays what it was: the development
 * server, PC/SC, no updates; and OMSORG_CONFIG is followed.
 */
export function resolveSettings(env: NodeJS.ProcessEnv, packaged: boolean, overrideAllowed = false): WorkstationSettings {
  if (!packaged && env.SERVER_URL) return { serverUrl: env.SERVER_URL, card: { type: 'pcsc' } };
  return settingsFromConfig(readMachineConfig(machineConfigPath(env, process.platform, !packaged || overrideAllowed)));
}

/**
 * The card overrides a developer or a test machine sets in the environment: DEMO_CARD (a software
 * card file in a built-in reader, DEMO ONLY), PKCS11_MODULE (a PKCS#11 module to load) and, from the
 * project only, DEMO_READER (`npm start` with the embedded server: the demo reader beside PC/SC). The
 * installed app follows them only under the same machine-wide policy as OMSORG_CONFIG: on a managed
 * PC a user's environment must neither log in with a software card nor make the app load a DLL of
 * their choosing (the configured card profile names the module IT deployed).
 */
export function cardOverrides(env: NodeJS.ProcessEnv, packaged: boolean, overrideAllowed = false): { demoCard?: string; pkcs11Module?: string; demoReader?: string } {
  if (packaged && !overrideAllowed) return {};
  return {
    ...(env.DEMO_CARD ? { demoCard: env.DEMO_CARD } : {}),
    ...(env.PKCS11_MODULE ? { pkcs11Module: env.PKCS11_MODULE } : {}),
    // DEMO_READER: `npm start`'s embedded demo (a file naming the demo people's cards): never the packaged app.
    ...(env.DEMO_READER && !packaged ? { demoReader: env.DEMO_READER } : {}),
  };
}

/** The card stack for a configured profile (main/app.ts's `card` option). */
export function cardStackFor(profile: CardProfile): CardStackOption {
  if (profile.type === 'pcsc') return { kind: 'pcsc' };
  // Net iD (or another PKCS#11 module) by its path: native/pkcs11/pkcs11-tokens.ts.
  return { kind: 'pkcs11', module: profile.module };
}
