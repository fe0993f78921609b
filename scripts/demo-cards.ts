import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { TEST_LOA3_POLICY_OID } from '#contract';
import { issueDemoCards } from '../tools/card';
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
