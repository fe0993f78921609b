/**
 * Issues software card files from the test PKI (test and demo material only).
 *
 *   npm run card -- issue --hsa-id SE2321000131-P000000000101 --name "Anna Lindqvist" [--algorithm rsa|ec]
 *                         [--pin 123456] [--puk 12345678] [--out .cards/anna.json] [--pki .data/pki]
 *                         [--not-before ISO] [--not-after ISO]
 *   npm run card -- demo [--out .cards] [--pki .data/pki] [--algorithm rsa|ec]
 *   npm run card -- ca [--pki .data/pki]          prints the trust anchor and intermediate PEM paths
 *
 * The PKI is created in --pki on first use. Card files are written with mode 0600.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { CardFile } from '../native/softcard/card-file';
import { issuePersonCard, loadOrCreateTestPki, normaliseAlgorithm, splitName, trustFiles, type TestPki } from './pki/index';

export const DEFAULT_PKI_DIR = '.data/pki';
export const DEFAULT_CARDS_DIR = '.cards';

export interface DemoPerson {
  hsaId: string;
  givenName: string;
  familyName: string;
}

/** Used only when server/seed/demo-people.ts cannot be loaded. */
const FALLBACK_DEMO_PEOPLE: DemoPerson[] = [
  { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' },
  { hsaId: 'SE2321000131-P000000000102', givenName: 'Mohammed', familyName: 'Haddad' },
];

/** The demo staff of server/seed/demo-people.ts (the server's seed is the one list of demo people). */
export async function demoPeople(): Promise<DemoPerson[]> {
  try {
    const mod = (await import('../server/seed/demo-people')) as { demoStaff?: readonly DemoPerson[] };
    if (mod.demoStaff && mod.demoStaff.length > 0) return [...mod.demoStaff];
  } catch {
    // fall through
  }
  return FALLBACK_DEMO_PEOPLE;
}

/** File name of a person's card: anna-lindqvist.json (ASCII, lower case). */
export function cardFileName(p: DemoPerson): string {
  const slug = `${p.givenName}-${p.familyName}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${slug || 'card'}.json`;
}

export async function writeCardFile(path: string, card: CardFile): Promise<string> {
  const abs = resolve(path);
  await mkdir(dirname(abs), { recursive: true, mode: 0o700 });
  await writeFile(abs, JSON.stringify(card, null, 2) + '\n', { mode: 0o600 });
  return abs;
}

export async function issueDemoCards(pki: TestPki, outDir: string, algorithm?: string): Promise<string[]> {
  const paths: string[] = [];
  for (const p of await demoPeople()) {
    const card = await issuePersonCard(pki, {
      hsaId: p.hsaId,
      givenName: p.givenName,
      familyName: p.familyName,
      algorithm: normaliseAlgorithm(algorithm as 'rsa' | 'ec' | undefined),
      label: `${p.givenName} ${p.familyName} (demo)`,
    });
    paths.push(await writeCardFile(join(outDir, cardFileName(p)), card));
  }
  return paths;
}

const date = (s: string | undefined, flag: string): Date | undefined => {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new Error(`${flag}: not a date: ${s}`);
  return d;
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      'hsa-id': { type: 'string' },
      name: { type: 'string' },
      algorithm: { type: 'string' },
      pin: { type: 'string' },
      puk: { type: 'string' },
      out: { type: 'string' },
      pki: { type: 'string' },
      'not-before': { type: 'string' },
      'not-after': { type: 'string' },
    },
    strict: true,
  });
  const pkiDir = values.pki ?? DEFAULT_PKI_DIR;

  switch (command) {
    case 'issue': {
      if (!values['hsa-id'] || !values.name) throw new Error('issue needs --hsa-id and --name');
      const pki = await loadOrCreateTestPki(pkiDir);
      const { givenName, familyName } = splitName(values.name);
      const card = await issuePersonCard(pki, {
        hsaId: values['hsa-id'],
        givenName,
        familyName,
        algorithm: normaliseAlgorithm(values.algorithm as 'rsa' | 'ec' | undefined),
        pin: values.pin,
        puk: values.puk,
        notBefore: date(values['not-before'], '--not-before'),
        notAfter: date(values['not-after'], '--not-after'),
      });
      const out = values.out ?? join(DEFAULT_CARDS_DIR, cardFileName({ hsaId: '', givenName, familyName }));
      console.log(await writeCardFile(out, card));
      return 0;
    }
    case 'demo': {
      const pki = await loadOrCreateTestPki(pkiDir);
      for (const p of await issueDemoCards(pki, values.out ?? DEFAULT_CARDS_DIR, values.algorithm)) console.log(p);
      return 0;
    }
    case 'ca': {
      await loadOrCreateTestPki(pkiDir);
      const files = trustFiles(resolve(pkiDir));
      for (const f of files.trustAnchors) console.log(`trust-anchor ${f}`);
      for (const f of files.intermediates) console.log(`intermediate ${f}`);
      return 0;
    }
    default:
      console.error('usage: npm run card -- issue --hsa-id SE... --name "Given Family" | demo | ca  (see tools/card.ts)');
      return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
