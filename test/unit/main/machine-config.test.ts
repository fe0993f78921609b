import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardOverrides, cardStackFor, CONFIG_OVERRIDE_POLICY_FILE, configOverrideAllowed, machineConfigPath, MachineConfigError, parseMachineConfig, readMachineConfig, resolveSettings } from '../../../main/config/machine-config';
import { startupFailureText } from '../../../main/electron/shell';

/** The machine-wide configuration file IT deploys (docs/windows.md). */
const FILE = 'C:\\ProgramData\\Omsorgsportalen\\config.json';
const problems = (json: unknown): string[] => {
  try {
    parseMachineConfig(JSON.stringify(json), FILE);
  } catch (e) {
    if (e instanceof MachineConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('the machine configuration file', () => {
  it('lives in ProgramData on Windows and /etc on Linux; OMSORG_CONFIG overrides', () => {
    expect(machineConfigPath({ ProgramData: 'D:\\ProgramData' }, 'win32')).toBe('D:\\ProgramData\\Omsorgsportalen\\config.json');
    expect(machineConfigPath({}, 'win32')).toBe(FILE);
    expect(machineConfigPath({}, 'linux')).toBe('/etc/omsorgsportalen/config.json');
    expect(machineConfigPath({ OMSORG_CONFIG: '/tmp/x.json' }, 'win32')).toBe('/tmp/x.json');
    expect(machineConfigPath({ OMSORG_CONFIG: '/tmp/x.json' }, 'win32', false)).toBe(FILE);
  });

  it('gives the server, update feed, idle timeout and card profile; PC/SC by default', () => {
    expect(parseMachineConfig(JSON.stringify({ serverUrl: 'https://omsorg.kommun.example' }), FILE)).toEqual({ serverUrl: 'https://omsorg.kommun.example', card: { type: 'pcsc' } });
    const full = {
      serverUrl: 'https://omsorg.kommun.example',
      updateFeed: 'https://uppdatering.kommun.example/omsorgsportalen/',
      idleTimeoutMinutes: 10,
      card: { type: 'pkcs11', module: 'C:\\Program Files\\Net iD\\iidp11.dll' },
    };
    // Written by PowerShell: a byte-order mark first.
    expect(parseMachineConfig(`\uFEFF${JSON.stringify(full)}`, FILE)).toEqual(full);
  });

  it('requires https, except to this computer', () => {
    expect(problems({ serverUrl: 'http://omsorg.kommun.example' })).toEqual(['serverUrl måste börja med https:// (http tillåts bara till den egna datorn: localhost, 127.0.0.1)']);
    expect(problems({ serverUrl: 'https://omsorg.kommun.example', updateFeed: 'http://cdn.example/' })[0]).toMatch(/^updateFeed måste börja med https:\/\//);
    expect(problems({ serverUrl: 'http://127.0.0.1:4010' })).toEqual([]);
    expect(problems({ serverUrl: 'http://localhost:4010' })).toEqual([]);
    expect(problems({ serverUrl: 'https://user:pw@omsorg.kommun.example' })).toEqual(['serverUrl får inte innehålla användarnamn eller lösenord']);
  });

  it('names every problem in Swedish: missing, unknown, mistyped, out of range', () => {
    expect(problems({})).toEqual(['serverUrl saknas']);
    expect(problems({ serverUrl: 'https://a.example', serverURL: 'x' })).toEqual(['okänd inställning "serverURL"']);
    expect(problems({ serverUrl: 'https://a.example', idleTimeoutMinutes: '15' })).toEqual(['idleTimeoutMinutes måste vara ett tal (minuter)']);
    expect(problems({ serverUrl: 'https://a.example', idleTimeoutMinutes: 0 })).toEqual(['idleTimeoutMinutes måste vara minst 1']);
    expect(problems({ serverUrl: 'https://a.example', card: { type: 'nfc' } })).toEqual(['card.type måste vara "pcsc" eller "pkcs11"']);
    expect(problems({ serverUrl: 'https://a.example', card: { type: 'pkcs11' } })).toEqual(['card.module saknas: sökvägen till kortleverantörens PKCS#11-modul (.dll)']);
    expect(problems({ serverUrl: 'not a url' })).toEqual(['serverUrl är ingen giltig adress']);
  });

  it('a missing or broken file is an error naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    expect(() => readMachineConfig(path.join(dir, 'config.json'))).toThrow(/Inställningsfilen .*config\.json kan inte användas: filen finns inte/);
    writeFileSync(path.join(dir, 'broken.json'), '{ "serverUrl": ');
    expect(() => readMachineConfig(path.join(dir, 'broken.json'))).toThrow(/broken\.json kan inte användas: filen är inte giltig JSON/);
  });

  it('the error window says which file and what is wrong, one problem a line', () => {
    const text = startupFailureText(new MachineConfigError(FILE, ['serverUrl saknas', 'okänd inställning "x"']));
    expect(text).toBe(`Inställningsfilen ${FILE} kan inte användas:\n\n• serverUrl saknas\n• okänd inställning "x"\n\nKontakta er IT-kontaktperson.`);
  });

  it('the packaged app always reads the file; from the project SERVER_URL stays for development', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ serverUrl: 'https://omsorg.kommun.example', idleTimeoutMinutes: 5, updateFeed: 'https://u.example/feed/' }));
    expect(resolveSettings({ SERVER_URL: 'http://127.0.0.1:4010' }, false)).toEqual({ serverUrl: 'http://127.0.0.1:4010', card: { type: 'pcsc' } });
    expect(resolveSettings({ SERVER_URL: 'http://evil.example', OMSORG_CONFIG: file }, true, true)).toEqual({
      serverUrl: 'https://omsorg.kommun.example',
      idleTimeoutMs: 300_000,
      updateFeed: 'https://u.example/feed/',
      card: { type: 'pcsc' },
    });
  });

  it('the installed app follows OMSORG_CONFIG only under the machine-wide policy file in its resources folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ serverUrl: 'https://annan.server.example' }));
    const resources = mkdtempSync(path.join(tmpdir(), 'resources-'));
    expect(configOverrideAllowed(resources)).toBe(false);
    expect(configOverrideAllowed(undefined)).toBe(false);
    // No policy: a user's OMSORG_CONFIG is ignored, the machine's own file is read (here: missing, so an error naming it).
    expect(() => resolveSettings({ OMSORG_CONFIG: other }, true, configOverrideAllowed(resources))).toThrow(/Inställningsfilen \/etc\/omsorgsportalen\/config\.json|Omsorgsportalen\\config\.json/);
    writeFileSync(path.join(resources, CONFIG_OVERRIDE_POLICY_FILE), '');
    expect(configOverrideAllowed(resources)).toBe(true);
    expect(resolveSettings({ OMSORG_CONFIG: other }, true, configOverrideAllowed(resources)).serverUrl).toBe('https://annan.server.example');
    // From the project (not packaged) it is followed as before.
    expect(resolveSettings({ OMSORG_CONFIG: other }, false).serverUrl).toBe('https://annan.server.example');
  });

  it('the PC/SC profile maps to the PC/SC card stack', () => {
    expect(cardStackFor({ type: 'pcsc' })).toEqual({ kind: 'pcsc' });
  });

  it('the PKCS#11 profile maps to the PKCS#11 card stack over the configured module', () => {
    expect(cardStackFor({ type: 'pkcs11', module: 'C:\\Program Files\\iiD\\iidp11.dll' })).toEqual({ kind: 'pkcs11', module: 'C:\\Program Files\\iiD\\iidp11.dll' });
  });
});

describe('the card overrides in the environment (DEMO_CARD, PKCS11_MODULE)', () => {
  const env = { DEMO_CARD: '/tmp/card.json', PKCS11_MODULE: 'C:\\Users\\x\\evil.dll' };
  it('are followed when started from the project', () => {
    expect(cardOverrides(env, false)).toEqual({ demoCard: '/tmp/card.json', pkcs11Module: 'C:\\Users\\x\\evil.dll' });
  });
  it('are ignored by the installed app without the machine-wide policy', () => {
    expect(cardOverrides(env, true, false)).toEqual({});
  });
  it('are followed by the installed app under the policy (test machines)', () => {
    expect(cardOverrides(env, true, true)).toEqual({ demoCard: '/tmp/card.json', pkcs11Module: 'C:\\Users\\x\\evil.dll' });
  });  it('DEMO_READER (npm start’s demo reader beside PC/SC) only from the project, never in the installed app, policy or not', () => {
    expect(cardOverrides({ DEMO_READER: '/tmp/demo-reader.json' }, false)).toEqual({ demoReader: '/tmp/demo-reader.json' });
    expect(cardOverrides({ DEMO_READER: '/tmp/demo-reader.json' }, true, true)).toEqual({});
    expect(cardOverrides({ DEMO_READER: '/tmp/demo-reader.json' }, true, false)).toEqual({});
  });
});

