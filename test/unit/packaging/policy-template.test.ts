import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_VALUES } from '../../../main/config/machine-config';
import { nonAdminWriters, POLICY_KEY } from '../../../main/config/windows-policy';

/**
 * The group policy template (build/policy/) sets exactly the values the app reads
 * (POLICY_VALUES), with the registry types it expects, under the key it reads; both languages
 * name every string; and the installer's icacls lines give the configuration folder an ACL the
 * app accepts. None of it can be loaded into a group policy editor here (no Windows).
 */
const root = path.resolve(import.meta.dirname, '../../..');
const admx = readFileSync(path.join(root, 'build/policy/Omsorgsportalen.admx'), 'utf8');
const adml = (lang: string) => readFileSync(path.join(root, `build/policy/${lang}/Omsorgsportalen.adml`), 'utf8');
const ids = (text: string, tag: string) => [...text.matchAll(new RegExp(`<${tag} id="([^"]+)"`, 'g'))].map((m) => m[1]!).sort();

describe('the ADMX/ADML template', () => {
  it('sets every value the app reads, with its registry type, under the key the app reads', () => {
    const set: Record<string, string> = {};
    for (const m of admx.matchAll(/<(text|decimal|enum) id="[^"]+" valueName="([^"]+)"/g)) set[m[2]!] = m[1] === 'decimal' ? 'REG_DWORD' : 'REG_SZ';
    // A policy that is itself the value (enabled 1, disabled 0): a DWORD.
    for (const m of admx.matchAll(/<policy [^>]*valueName="([^"]+)"[^>]*>[\s\S]*?<enabledValue><decimal/g)) set[m[1]!] = 'REG_DWORD';
    expect(set).toEqual(Object.fromEntries(Object.entries(POLICY_VALUES).map(([name, spec]) => [name, spec.type])));
    const keys = new Set([...admx.matchAll(/ key="([^"]+)"/g)].map((m) => m[1]));
    expect([...keys]).toEqual([POLICY_KEY.replace(/^HKLM\\/, '')]);
    expect([...admx.matchAll(/class="(\w+)"/g)].every((m) => m[1] === 'Machine')).toBe(true);
  });

  it('is balanced XML in its policies (each opened element closed)', () => {
    for (const text of [admx, adml('sv-SE'), adml('en-US')]) {
      for (const tag of ['policy', 'elements', 'enum', 'presentation', 'stringTable', 'presentationTable']) {
        expect((text.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length, tag).toBe((text.match(new RegExp(`</${tag}>`, 'g')) ?? []).length);
      }
    }
  });

  it('Swedish and English both name every string and presentation the ADMX refers to', () => {
    const strings = [...new Set([...admx.matchAll(/\$\(string\.([^)]+)\)/g)].map((m) => m[1]!))].sort();
    const presentations = [...new Set([...admx.matchAll(/\$\(presentation\.([^)]+)\)/g)].map((m) => m[1]!))].sort();
    expect(strings.length).toBeGreaterThan(10);
    for (const lang of ['sv-SE', 'en-US']) {
      expect(ids(adml(lang), 'string'), lang).toEqual(strings);
      expect(ids(adml(lang), 'presentation'), lang).toEqual(presentations);
      // Every element a presentation shows is one the ADMX defines.
      const refs = [...adml(lang).matchAll(/refId="([^"]+)"/g)].map((m) => m[1]!).sort();
      expect(refs, lang).toEqual([...admx.matchAll(/<(?:text|decimal|enum) id="([^"]+)"/g)].map((m) => m[1]!).sort());
    }
    expect(adml('sv-SE')).toContain('<string id="ServerUrl">Serveradress</string>');
  });
});

describe('the installer’s configuration folder (build/installer.nsh)', () => {
  const nsh = readFileSync(path.join(root, 'build/installer.nsh'), 'utf8');
  const SDDL_SID: Record<string, string> = { '*S-1-5-18': 'SY', '*S-1-5-32-544': 'BA', '*S-1-5-32-545': 'BU' };
  const SDDL_RIGHTS: Record<string, string> = { F: 'FA', RX: '0x1200a9', M: '0x1301bf' };

  it('gets an ACL the app accepts: owner Administrators, inheritance cut, only SYSTEM and Administrators write', () => {
    const owner = /\/setowner (\*S-[\d-]+)/.exec(nsh)?.[1];
    const grant = /\/inheritance:r \/grant:r ((?:\*S-[\d-]+:\(OI\)\(CI\)\w+ ?)+)/.exec(nsh)?.[1];
    expect(owner).toBe('*S-1-5-32-544');
    expect(grant).toBeDefined();
    // What icacls leaves on the folder, as Get-Acl's SDDL gives it (P: inheritance cut).
    const aces = grant!
      .trim()
      .split(' ')
      .map((g) => /^(\*S-[\d-]+):\(OI\)\(CI\)(\w+)$/.exec(g)!)
      .map(([, sid, rights]) => `(A;OICI;${SDDL_RIGHTS[rights!]};;;${SDDL_SID[sid!]})`);
    expect(nonAdminWriters(`O:${SDDL_SID[owner!]}G:SYD:PAI${aces.join('')}`)).toEqual([]);
    // By Windows' SIDs, not the group names a Swedish Windows translates; icacls by its full path.
    const code = nsh.split('\n').filter((l) => !l.trim().startsWith(';')).join('\n');
    expect(code).not.toMatch(/Administrators|Administratörer|Users:/);
    expect(nsh).toContain('"$SYSDIR\\icacls.exe"');
  });
});
