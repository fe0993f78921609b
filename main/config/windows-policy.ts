import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

// Its errors are in Swedish: a startup error, shown in the start's error box before any UI exists
// (main/electron/shell.ts startupFailureText; docs/adding-a-feature.md, "Errors").

/**
 * What only IT can set on a Windows PC (docs/windows.md, "Configure"): the policy key that group
 * policy and Intune write (the ADMX template in build/policy/), and, where there is no policy, the
 * file `%ProgramData%\Omsorgsportalen\config.json` — used only if no one but administrators can
 * change it. The two Windows edges are small seams: a registry reader (reg.exe's output parsed) and
 * an ACL reader (PowerShell's Get-Acl as SDDL, locale-free); the tests give fakes of both.
 */
export const POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\Omsorgsportalen';

/** One registry value as reg.exe shows it: `REG_SZ` text, `REG_DWORD` as 0x… hex, and so on. */
export interface RegistryValue {
  type: string;
  data: string;
}
/** The values of a registry key by name; null when the key does not exist. */
export type RegistryReader = (key: string) => Record<string, RegistryValue> | null;
/** The security descriptor of each path in SDDL (`O:BAG:SYD:PAI(A;;FA;;;SY)…`), in order. */
export type AclReader = (paths: readonly string[]) => string[];

/**
 * Windows' own programs by fixed path, not by PATH or %SystemRoot%: both come from the user's
 * environment, and a reg.exe of the user's would answer with the policy of the user's choice.
 */
const SYSTEM32 = 'C:\\Windows\\System32';
const REG_EXE = path.win32.join(SYSTEM32, 'reg.exe');
const POWERSHELL = path.win32.join(SYSTEM32, 'WindowsPowerShell', 'v1.0', 'powershell.exe');

/** reg.exe's listing of one key: `    Name    REG_TYPE    data` lines (subkeys and the key's own line skipped). */
export function parseRegQuery(stdout: string): Record<string, RegistryValue> {
  const values: Record<string, RegistryValue> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (m) values[m[1] === '(Default)' || m[1] === '(Standard)' ? '' : m[1]!] = { type: m[2]!, data: m[3] ?? '' };
  }
  return values;
}

/**
 * The real registry reader: `reg.exe query <key> /reg:64`. Exit code 1 with nothing listed is a key
 * that does not exist (its message is in the PC's language, so it is not read); anything else
 * unexpected is an error, and the start stops rather than guess.
 */
export const regExeReader: RegistryReader = (key) => {
  if (!existsSync(REG_EXE)) throw new Error(`${REG_EXE} finns inte`);
  try {
    return parseRegQuery(execFileSync(REG_EXE, ['query', key, '/reg:64'], { encoding: 'utf8', timeout: 10_000, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    const r = e as { status?: number; stdout?: string };
    if (r.status === 1 && !r.stdout?.trim()) return null;
    throw e;
  }
};

/** The real ACL reader: Get-Acl's SDDL for each path (owner and DACL, with SIDs, in any language). */
export const powershellAclReader: AclReader = (paths) => {
  const script = '$ErrorActionPreference = "Stop"; foreach ($p in ($env:OMSORG_ACL_PATHS -split "\\|")) { (Get-Acl -LiteralPath $p).Sddl }';
  const out = execFileSync(POWERSHELL, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', script], {
    encoding: 'utf8',
    timeout: 20_000,
    windowsHide: true,
    env: { ...process.env, OMSORG_ACL_PATHS: paths.join('|') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.split(/\r?\n/).filter((l) => l.trim() !== '');
};

// ---------------------------------------------------------------------------------------------
// Who may write: SDDL read without Windows.

/** Administrators, SYSTEM and TrustedInstaller: the only ones allowed to change the configuration. */
const TRUSTED = new Set(['BA', 'SY', 'S-1-5-32-544', 'S-1-5-18', 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464']);
const SID_NAMES: Record<string, string> = {
  BU: 'Användare (BUILTIN\\Users)',
  AU: 'Autentiserade användare',
  WD: 'Alla (Everyone)',
  IU: 'Interaktiva användare',
  CO: 'Skaparens ägare (CREATOR OWNER)',
  OW: 'Ägarrättigheter (OWNER RIGHTS)',
  PU: 'Privilegierade användare (Power Users)',
  DU: 'Domänanvändare',
};
/** SDDL's access-right letters → mask bits (only those that let one change a file or a folder's contents). */
const RIGHT_LETTERS: Record<string, number> = { GA: 0x10000000, GW: 0x40000000, FA: 0x1f01ff, FW: 0x120116, SD: 0x10000, WD: 0x40000, WO: 0x80000, DC: 0x2, LC: 0x4, DT: 0x40, KA: 0xf003f, KW: 0x20006 };
/** Write data / add file, append / add subfolder, delete child, DELETE, WRITE_DAC, WRITE_OWNER, GENERIC_ALL, GENERIC_WRITE. */
const WRITE_MASK = 0x2 | 0x4 | 0x40 | 0x10000 | 0x40000 | 0x80000 | 0x10000000 | 0x40000000;

const rightsMask = (rights: string): number =>
  /^0x[0-9a-f]+$/i.test(rights) ? Number.parseInt(rights, 16) : (rights.match(/../g) ?? []).reduce((m, r) => m | (RIGHT_LETTERS[r] ?? 0), 0);

const sidName = (sid: string): string => SID_NAMES[sid] ?? sid;

/**
 * Who other than administrators, SYSTEM and TrustedInstaller can change the object (empty: only
 * they can), in Swedish: a non-administrator owner (an owner can always rewrite the permissions)
 * and every allowing ACE that grants a write right to another account. Inherit-only ACEs (for
 * children, not the object) are skipped; deny ACEs do not widen anything.
 */
export function nonAdminWriters(sddl: string): string[] {
  const owner = /O:([A-Z]{2}|S-[\d-]+)/.exec(sddl)?.[1];
  const dacl = /D:([A-Z]*)((?:\([^)]*\))*)/.exec(sddl);
  const found: string[] = [];
  if (!owner || !TRUSTED.has(owner)) found.push(`ägaren är ${owner ? sidName(owner) : 'okänd'}, inte Administratörer eller SYSTEM`);
  if (!dacl) return [...found, 'behörighetslistan saknas (alla får skriva)'];
  for (const ace of dacl[2]!.match(/\([^)]*\)/g) ?? []) {
    const [type, flags, rights, , , sid] = ace.slice(1, -1).split(';');
    if (type !== 'A' || !sid || TRUSTED.has(sid) || flags?.includes('IO')) continue;
    if (rightsMask(rights ?? '') & WRITE_MASK) found.push(`${sidName(sid)} får skriva`);
  }
  return found;
}
