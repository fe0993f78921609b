import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { TEST_LOA3_POLICY_OID } from '#contract';
import type { DemoCardHolder } from '../native/softcard/demo';
import { demoStaff } from '../server/seed/demo-people';
import { cardFileName, issueDemoCards } from '../tools/card';
import { DEFAULT_PIN, loadOrCreateTestPki, trustFiles } from '../tools/pki';

/**
 * The demo PKI (created on first start) and a card file for every demo person. Returns the
 * environment that makes the embedded server trust that PKI — and nothing else.
 */
export async function prepareDemoCards(opts: { pkiDir: string; cardsDir: string }): Promise<{ cards: string[]; pin: string; serverEnv: NodeJS.ProcessEnv }> {
  const pki = await loadOrCreateTestPki(opts.pkiDir);
  const existing = existsSync(opts.cardsDir) ? readdirSync(opts.cardsDir).filter((f) => f.endsWith('.json')) : [];
  const cards = existing.length > 0 ? existing.map((f) => path.join(opts.cardsDir, f)).sort() : await issueDemoCards(pki, opts.cardsDir);
  const files = trustFiles(path.resolve(opts.pkiDir));
  return {
    cards,
    pin: DEFAULT_PIN,
    serverEnv: {
      TRUST_ANCHORS: files.trustAnchors.join(','),
      INTERMEDIATE_CAS: files.intermediates.join(','),
      REQUIRED_POLICIES: TEST_LOA3_POLICY_OID,
    },
  };
}

const ROLE_ORDER = ['it_contact', 'superuser', 'manager', 'staff', 'case_officer'] as const;

/**
 * The demo people whose card files are in `cards`, with name, title and role (the seed's), for the
 * built-in demo reader's list on the login screen: the administrator first, the case officer last.
 */
export function demoCardHolders(cards: readonly string[]): DemoCardHolder[] {
  const byName = new Map(cards.map((c) => [path.basename(c), c]));
  return demoStaff
    .flatMap((p) => {
      const cardFile = byName.get(cardFileName(p));
      return cardFile ? [{ id: p.hsaId, name: `${p.givenName} ${p.familyName}`, title: p.title, role: p.role, cardFile }] : [];
    })
    .sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
}
