import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CardStackOption } from '../session/card-access';
import { nonAdminWriters, POLICY_KEY, type AclReader, type RegistryReader, type RegistryValue } from './windows-policy';

// Its errors are in Swedish: a startup error, shown in the start's error box before any UI exists
// (main/electron/shell.ts startupFailureText; docs/adding-a-feature.md, "Errors").

/**
 * The machine-wide configuration an IT department deploys (docs/windows.md). On Windows: the policy
 * key HKLM\SOFTWARE\Policies\Omsorgsportalen (group policy, Intune; build/policy/ has the ADMX
 * template), or where it holds no setting, one JSON file per PC that only administrators can change
 * (checked at every start: a file or folder a user can write is refused). Elsewhere: the file.
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
 * Outside Windows, the machine-wide policy that lets the installed app follow OMSORG_CONFIG: this
 * file in the app's resources folder (writable only by root, outside the signed and
 * integrity-checked app.asar). On Windows the policy is the registry value AllowConfigOverride
 * (startupConfig): a per-user install's folder is the user's own. Every update reinstalls the
 * folder and removes it.
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

/** A configuration that cannot be used: which file (or policy key), and what is wrong with it, in Swedish for the error window. */
export class MachineConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
    /** How the error window names it. */
    readonly label = `Inställningsfilen ${file}`,
  ) {
    super(`${label} kan inte användas: ${problems.join('; ')}`);
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
export function resolveSettings(env: NodeJS.ProcessEnv, packaged: boolean, overrideAllowed = false, windows?: WindowsSources): WorkstationSettings {
  if (!packaged && env.SERVER_URL) return { serverUrl: env.SERVER_URL, card: { type: 'pcsc' } };
  const file = windows?.configFile && !(overrideAllowed && env.OMSORG_CONFIG) ? windows.configFile : machineConfigPath(env, windows ? 'win32' : process.platform, !packaged || overrideAllowed);
  // A file an administrator allowed by policy (OMSORG_CONFIG) or the project's own: as it is.
  if (!windows || file === env.OMSORG_CONFIG) return settingsFromConfig(readMachineConfig(file));
  const policy = windows.policy ?? readPolicy(windows.registry);
  if (policy.config) return settingsFromConfig(policy.config);
  return settingsFromConfig(readAdminOnlyConfig(file, windows.acl));
}

// ---------------------------------------------------------------------------------------------
// Windows: the policy key, and the file only where no one but administrators can change it.

/** The Windows edges resolveSettings reads through (windows-policy.ts; fakes in the tests). */
export interface WindowsSources {
  registry: RegistryReader;
  acl: AclReader;
  /** The policy already read at start (readPolicy), so the key is read once. */
  policy?: MachinePolicy;
  /** The machine's file (default: %ProgramData%\Omsorgsportalen\config.json); tests on Linux give a real path. */
  configFile?: string;
}

/** What the policy key says: the configuration (null: the key holds none), and whether OMSORG_CONFIG and the card overrides are allowed. */
export interface MachinePolicy {
  config: MachineConfig | null;
  allowOverride: boolean;
}

/** Every value of the policy key (the ADMX template sets exactly these): its registry type and the configuration field it fills. */
export const POLICY_VALUES = {
  ServerUrl: { type: 'REG_SZ', field: 'serverUrl' },
  UpdateFeed: { type: 'REG_SZ', field: 'updateFeed' },
  IdleTimeoutMinutes: { type: 'REG_DWORD', field: 'idleTimeoutMinutes' },
  CardType: { type: 'REG_SZ', field: 'card.type' },
  Pkcs11Module: { type: 'REG_SZ', field: 'card.module' },
  AllowConfigOverride: { type: 'REG_DWORD', field: null },
} as const satisfies Record<string, { type: string; field: string | null }>;

const policyLabel = `Grupprincipen ${POLICY_KEY}`;

/** The policy key's values as a configuration, checked as the file is (the same Swedish problems, named by registry value). */
export function policyFromValues(values: Record<string, RegistryValue> | null): MachinePolicy {
  if (!values) return { config: null, allowOverride: false };
  const problems: string[] = [];
  const json: Record<string, unknown> = {};
  let allowOverride = false;
  for (const [name, value] of Object.entries(values)) {
    const spec = (POLICY_VALUES as Record<string, { type: string; field: string | null }>)[name];
    if (!spec) {
      if (name !== '') problems.push(`okänt principvärde "${name}"`);
      continue;
    }
    if (value.type !== spec.type) {
      problems.push(`${name} måste vara av typen ${spec.type} (är ${value.type})`);
      continue;
    }
    // A text left empty in the group policy editor is written as an empty string: not set.
    if (spec.type === 'REG_SZ' && value.data === '') continue;
    const data = spec.type === 'REG_DWORD' ? Number.parseInt(value.data, 16) : value.data;
    if (spec.field === null) allowOverride = data === 1;
    else if (spec.field.startsWith('card.')) json.card = { ...(json.card as object), [spec.field.slice(5)]: data };
    else json[spec.field] = data;
  }
  if (json.card && !(json.card as { type?: string }).type) problems.push('Pkcs11Module kräver CardType "pkcs11"');
  if (problems.length) throw new MachineConfigError(POLICY_KEY, problems, policyLabel);
  if (Object.keys(json).length === 0) return { config: null, allowOverride };
  const parsed = machineConfigSchema.safeParse(json);
  if (!parsed.success) {
    const byValue = Object.fromEntries(Object.entries(POLICY_VALUES).map(([name, spec]) => [spec.field, name]));
    throw new MachineConfigError(
      POLICY_KEY,
      parsed.error.issues.map((i) => describeIssue(i, json).replace(/^(card\.type|card\.module|serverUrl|updateFeed|idleTimeoutMinutes)\b/, (f) => byValue[f] ?? f)),
      policyLabel,
    );
  }
  return { config: parsed.data, allowOverride };
}

/** Reads the policy key once (a reader that fails stops the start: a policy half-read is not guessed at). */
export function readPolicy(registry: RegistryReader): MachinePolicy {
  let values: Record<string, RegistryValue> | null;
  try {
    values = registry(POLICY_KEY);
  } catch (e) {
    throw new MachineConfigError(POLICY_KEY, [`registret kan inte läsas (${(e as Error).message.split('\n')[0]})`], policyLabel);
  }
  return policyFromValues(values);
}

/**
 * The file, only if no one but administrators, SYSTEM and TrustedInstaller can change it or its
 * folder: by Windows' default permissions any user can create a folder under C:\ProgramData and
 * own it, and so plant a configuration pointing the app at another server. The installer creates
 * the folder with an administrators-only ACL (build/installer.nsh).
 */
export function readAdminOnlyConfig(file: string, acl: AclReader): MachineConfig {
  if (!existsSync(file)) return readMachineConfig(file); // the usual "filen finns inte" error
  const dir = path.win32.dirname(file);
  let sddl: string[];
  try {
    sddl = acl([dir, file]);
  } catch (e) {
    throw new MachineConfigError(file, [`filens behörigheter kan inte läsas (${(e as Error).message.split('\n')[0]})`]);
  }
  const problems = [
    ...nonAdminWriters(sddl[0] ?? '').map((p) => `mappen ${dir}: ${p}`),
    ...nonAdminWriters(sddl[1] ?? '').map((p) => `filen: ${p}`),
  ];
  if (problems.length) {
    throw new MachineConfigError(file, [
      ...problems,
      'bara administratörer får kunna ändra inställningarna. Installera om appen (installationen skapar mappen med rätt behörigheter) eller använd grupprincipen (docs/windows.md)',
    ]);
  }
  return readMachineConfig(file);
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

/**
 * What the shell reads at start (main/electron/index.ts): whether OMSORG_CONFIG and the card
 * overrides are allowed, and the settings. On Windows, for the installed app, both come from the
 * policy key (read once), never from a file in the install folder — a per-user install's folder is
 * the user's own. Elsewhere the policy is the file in the resources folder (CONFIG_OVERRIDE_POLICY_FILE).
 * A policy that cannot be read or is wrong stops the start at `settings()` with the error window.
 */
export function startupConfig(opts: { env: NodeJS.ProcessEnv; packaged: boolean; resourcesPath: string | undefined; windows?: Omit<WindowsSources, 'policy'> }): {
  overrideAllowed: boolean;
  settings: () => WorkstationSettings;
} {
  if (!opts.windows || !opts.packaged) {
    const overrideAllowed = configOverrideAllowed(opts.resourcesPath);
    return { overrideAllowed, settings: () => resolveSettings(opts.env, opts.packaged, overrideAllowed) };
  }
  let policy: MachinePolicy | Error;
  try {
    policy = readPolicy(opts.windows.registry);
  } catch (e) {
    policy = e as Error;
  }
  if (policy instanceof Error) {
    const failure = policy;
    return {
      overrideAllowed: false,
      settings: () => {
        throw failure;
      },
    };
  }
  const windows = { ...opts.windows, policy };
  return { overrideAllowed: policy.allowOverride, settings: () => resolveSettings(opts.env, true, policy.allowOverride, windows) };
}
