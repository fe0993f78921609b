import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_OVERRIDE_POLICY_FILE, MachineConfigError, POLICY_VALUES, policyFromValues, readAdminOnlyConfig, resolveSettings, startupConfig } from '../../../main/config/machine-config';
import { nonAdminWriters, parseRegQuery, POLICY_KEY, type AclReader, type RegistryReader } from '../../../main/config/windows-policy';
import { startupFailureText } from '../../../main/electron/shell';

/**
 * Windows' policy key and the admin-only file, read through the two Windows edges faked: the
 * registry reader gets reg.exe's own output format (parsed by the real parser), the ACL reader
 * the SDDL Get-Acl gives for the folders and files as Windows makes them.
 */

/** reg.exe query's output for the key, values as `[name, type, data]`. */
const regOutput = (values: [string, string, string][]): string =>
  ['', POLICY_KEY.replace('HKLM', 'HKEY_LOCAL_MACHINE'), ...values.map(([n, t, d]) => `    ${n}    ${t}    ${d}`), '', ''].join('\r\n');
const registry =
  (values: [string, string, string][] | null): RegistryReader =>
  (key) => {
    expect(key).toBe(POLICY_KEY);
    return values ? parseRegQuery(regOutput(values)) : null;
  };
const SERVER: [string, string, string] = ['ServerUrl', 'REG_SZ', 'https://omsorg.kommun.example'];
const policyProblems = (values: [string, string, string][]): string[] => {
  try {
    policyFromValues(parseRegQuery(regOutput(values)));
  } catch (e) {
    if (e instanceof MachineConfigError) return e.problems;
    throw e;
  }
  return [];
};

// Security descriptors as Get-Acl's .Sddl gives them.
/** C:\ProgramData\Omsorgsportalen as the installer makes it: owner Administrators, inheritance cut, users read only. */
const INSTALLER_FOLDER = 'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)';
const ADMIN_FILE = 'O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)';
/** A folder a user created under C:\ProgramData: the user owns it and inherits ProgramData's "users may add files". */
const USER = 'S-1-5-21-1004336348-1177238915-682003330-1001';
const USER_FOLDER = `O:${USER}G:DUD:AI(A;ID;FA;;;${USER})(A;OICIIOID;GA;;;CO)(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;CIID;DCLCRPCR;;;BU)`;
/** An administrator made the folder by hand: owner Administrators, but ProgramData's inherited "users may add files" stays. */
const INHERITED_FOLDER = 'O:BAG:SYD:AI(A;OICIIOID;GA;;;CO)(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;CIID;DCLCRPCR;;;BU)';
const acl =
  (folder: string, file: string): AclReader =>
  (paths) => {
    expect(paths).toHaveLength(2);
    return [folder, file];
  };

function configFile(json: unknown): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'policy-')), 'Omsorgsportalen');
  mkdirSync(dir);
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('reg.exe output', () => {
  it('gives each value with its type and data; the key line, subkeys and the default value are not values', () => {
    const out = `\r\n${POLICY_KEY}\r\n    (Default)    REG_SZ    \r\n    ServerUrl    REG_SZ    https://a.example/x y\r\n    IdleTimeoutMinutes    REG_DWORD    0xf\r\n\r\n${POLICY_KEY}\\Sub\r\n`;
    expect(parseRegQuery(out)).toEqual({ '': { type: 'REG_SZ', data: '' }, ServerUrl: { type: 'REG_SZ', data: 'https://a.example/x y' }, IdleTimeoutMinutes: { type: 'REG_DWORD', data: '0xf' } });
  });
});

describe('the policy key HKLM\\SOFTWARE\\Policies\\Omsorgsportalen, one value at a time', () => {
  const config = (values: [string, string, string][]) => policyFromValues(parseRegQuery(regOutput(values)));

  it('ServerUrl: the server (https, or http to this computer)', () => {
    expect(config([SERVER])).toEqual({ config: { serverUrl: 'https://omsorg.kommun.example', card: { type: 'pcsc' } }, allowOverride: false });
    expect(policyProblems([['ServerUrl', 'REG_SZ', 'http://omsorg.kommun.example']])[0]).toMatch(/^ServerUrl måste börja med https:\/\//);
    expect(policyProblems([['ServerUrl', 'REG_EXPAND_SZ', 'https://a.example']])).toEqual(['ServerUrl måste vara av typen REG_SZ (är REG_EXPAND_SZ)']);
  });

  it('UpdateFeed: the update feed (https)', () => {
    expect(config([SERVER, ['UpdateFeed', 'REG_SZ', 'https://uppdatering.kommun.example/omsorgsportalen/']]).config?.updateFeed).toBe('https://uppdatering.kommun.example/omsorgsportalen/');
    expect(policyProblems([SERVER, ['UpdateFeed', 'REG_SZ', 'http://cdn.example/']])[0]).toMatch(/^UpdateFeed måste börja med https:\/\//);
  });

  it('IdleTimeoutMinutes: a DWORD, 1–240', () => {
    expect(config([SERVER, ['IdleTimeoutMinutes', 'REG_DWORD', '0xa']]).config?.idleTimeoutMinutes).toBe(10);
    expect(policyProblems([SERVER, ['IdleTimeoutMinutes', 'REG_DWORD', '0x0']])).toEqual(['IdleTimeoutMinutes måste vara minst 1']);
    expect(policyProblems([SERVER, ['IdleTimeoutMinutes', 'REG_DWORD', '0x3e8']])).toEqual(['IdleTimeoutMinutes får vara högst 240']);
    expect(policyProblems([SERVER, ['IdleTimeoutMinutes', 'REG_SZ', '15']])).toEqual(['IdleTimeoutMinutes måste vara av typen REG_DWORD (är REG_SZ)']);
  });

  it('CardType: pcsc or pkcs11', () => {
    expect(config([SERVER, ['CardType', 'REG_SZ', 'pcsc']]).config?.card).toEqual({ type: 'pcsc' });
    expect(policyProblems([SERVER, ['CardType', 'REG_SZ', 'nfc']])).toEqual(['CardType måste vara "pcsc" eller "pkcs11"']);
    expect(policyProblems([SERVER, ['CardType', 'REG_SZ', 'pkcs11']])).toEqual(['Pkcs11Module saknas: sökvägen till kortleverantörens PKCS#11-modul (.dll)']);
  });

  it('Pkcs11Module: the card vendor’s PKCS#11 module, with CardType pkcs11', () => {
    const module = 'C:\\Program Files\\Net iD\\iidp11.dll';
    expect(config([SERVER, ['CardType', 'REG_SZ', 'pkcs11'], ['Pkcs11Module', 'REG_SZ', module]]).config?.card).toEqual({ type: 'pkcs11', module });
    expect(policyProblems([SERVER, ['Pkcs11Module', 'REG_SZ', module]])).toEqual(['Pkcs11Module kräver CardType "pkcs11"']);
  });

  it('AllowConfigOverride: 1 lets OMSORG_CONFIG and the card overrides count; it is no configuration by itself', () => {
    expect(config([['AllowConfigOverride', 'REG_DWORD', '0x1']])).toEqual({ config: null, allowOverride: true });
    expect(config([['AllowConfigOverride', 'REG_DWORD', '0x0']])).toEqual({ config: null, allowOverride: false });
  });

  it('every value is one the ADMX template sets, and an unknown value or a missing ServerUrl is named', () => {
    expect(Object.keys(POLICY_VALUES).sort()).toEqual(['AllowConfigOverride', 'CardType', 'IdleTimeoutMinutes', 'Pkcs11Module', 'ServerUrl', 'UpdateFeed']);
    expect(policyProblems([SERVER, ['ServerURL', 'REG_SZ', 'x']])).toEqual(['okänt principvärde "ServerURL"']);
    expect(policyProblems([['IdleTimeoutMinutes', 'REG_DWORD', '0xf']])).toEqual(['ServerUrl saknas']);
    try {
      policyFromValues(parseRegQuery(regOutput([['IdleTimeoutMinutes', 'REG_DWORD', '0xf']])));
    } catch (e) {
      expect(startupFailureText(e)).toMatch(/^Grupprincipen HKLM\\SOFTWARE\\Policies\\Omsorgsportalen kan inte användas:\n\n• ServerUrl saknas/);
    }
  });
});

describe('who may write the configuration (SDDL)', () => {
  it('only administrators, SYSTEM and TrustedInstaller, as the installer sets it', () => {
    expect(nonAdminWriters(INSTALLER_FOLDER)).toEqual([]);
    expect(nonAdminWriters(ADMIN_FILE)).toEqual([]);
  });

  it('a folder a user made, or one that keeps ProgramData’s inherited rights, is writable by others', () => {
    expect(nonAdminWriters(USER_FOLDER)).toEqual([`ägaren är ${USER}, inte Administratörer eller SYSTEM`, `${USER} får skriva`, 'Användare (BUILTIN\\Users) får skriva']);
    expect(nonAdminWriters(INHERITED_FOLDER)).toEqual(['Användare (BUILTIN\\Users) får skriva']);
    expect(nonAdminWriters('O:BAG:SYD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x120116;;;WD)')).toEqual(['Alla (Everyone) får skriva']);
    expect(nonAdminWriters('O:BAG:SY')).toEqual(['behörighetslistan saknas (alla får skriva)']);
  });

  it('reading and deny entries do not count', () => {
    expect(nonAdminWriters('O:SYG:SYD:(A;;FR;;;BU)(A;;0x1200a9;;;AU)(D;;FA;;;WD)(A;;FA;;;BA)')).toEqual([]);
  });
});

describe('the configuration on Windows: policy first, then a file only administrators can change', () => {
  const env = (): NodeJS.ProcessEnv => ({});

  it('the policy wins over the file; the file is not even read', () => {
    const file = configFile({ serverUrl: 'https://fil.kommun.example' });
    const failingAcl: AclReader = () => {
      throw new Error('not asked');
    };
    expect(resolveSettings(env(), true, false, { registry: registry([SERVER]), acl: failingAcl, configFile: file }).serverUrl).toBe('https://omsorg.kommun.example');
  });

  it('without a policy: the file, when its folder and it are administrators-only', () => {
    const file = configFile({ serverUrl: 'https://fil.kommun.example', idleTimeoutMinutes: 5 });
    expect(resolveSettings(env(), true, false, { registry: registry(null), acl: acl(INSTALLER_FOLDER, ADMIN_FILE), configFile: file })).toEqual({ serverUrl: 'https://fil.kommun.example', card: { type: 'pcsc' }, idleTimeoutMs: 300_000 });
  });

  it('a file a user planted (their own folder under ProgramData) is refused, naming who can write', () => {
    const file = configFile({ serverUrl: 'https://elak.example' });
    const userFile = `O:${USER}G:DUD:AI(A;ID;FA;;;${USER})(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)`;
    expect(() => resolveSettings(env(), true, false, { registry: registry(null), acl: acl(USER_FOLDER, userFile), configFile: file })).toThrow(MachineConfigError);
    try {
      readAdminOnlyConfig(file, acl(USER_FOLDER, userFile));
    } catch (e) {
      const problems = (e as MachineConfigError).problems;
      expect(problems[0]).toMatch(/^mappen .*Omsorgsportalen: ägaren är S-1-5-21-/);
      expect(problems).toContain(`filen: ägaren är ${USER}, inte Administratörer eller SYSTEM`);
      expect(problems.at(-1)).toMatch(/^bara administratörer får kunna ändra inställningarna/);
    }
    // An administrator's file in a folder that kept ProgramData's "users may add files": refused too.
    expect(() => readAdminOnlyConfig(file, acl(INHERITED_FOLDER, ADMIN_FILE))).toThrow(/mappen .*: Användare \(BUILTIN\\Users\) får skriva/);
  });

  it('an ACL that cannot be read refuses the file, as does a registry that cannot be read', () => {
    const file = configFile({ serverUrl: 'https://fil.kommun.example' });
    const broken: AclReader = () => {
      throw new Error('Get-Acl: access denied');
    };
    expect(() => readAdminOnlyConfig(file, broken)).toThrow(/filens behörigheter kan inte läsas \(Get-Acl: access denied\)/);
    const start = startupConfig({
      env: env(),
      packaged: true,
      resourcesPath: undefined,
      windows: {
        registry: () => {
          throw new Error('reg.exe failed');
        },
        acl: acl(INSTALLER_FOLDER, ADMIN_FILE),
      },
    });
    expect(start.overrideAllowed).toBe(false);
    expect(() => start.settings()).toThrow(/Grupprincipen .* kan inte användas: registret kan inte läsas \(reg\.exe failed\)/);
  });

  it('OMSORG_CONFIG and the card overrides follow AllowConfigOverride in the policy, not a file in the (per-user, writable) install folder', () => {
    const own = configFile({ serverUrl: 'https://fil.kommun.example' });
    const other = configFile({ serverUrl: 'http://127.0.0.1:4010' });
    const resources = mkdtempSync(path.join(tmpdir(), 'resources-'));
    writeFileSync(path.join(resources, CONFIG_OVERRIDE_POLICY_FILE), '');
    const windows = (values: [string, string, string][] | null) => ({ registry: registry(values), acl: acl(INSTALLER_FOLDER, ADMIN_FILE), configFile: own });
    const planted = startupConfig({ env: { OMSORG_CONFIG: other }, packaged: true, resourcesPath: resources, windows: windows(null) });
    expect(planted.overrideAllowed).toBe(false);
    expect(planted.settings().serverUrl).toBe('https://fil.kommun.example');
    const allowed = startupConfig({ env: { OMSORG_CONFIG: other }, packaged: true, resourcesPath: undefined, windows: windows([['AllowConfigOverride', 'REG_DWORD', '0x1']]) });
    expect(allowed.overrideAllowed).toBe(true);
    expect(allowed.settings().serverUrl).toBe('http://127.0.0.1:4010');
  });
});
