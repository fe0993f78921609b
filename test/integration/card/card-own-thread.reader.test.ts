import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { insertCardFile, loadCardFile } from '../../../native/softcard';
import { writeTestCard } from '../../support/test-certs';

/**
 * The deadlock this guards against: pcsclite's CardReader.close() blocks its thread joining a
 * status thread that waits on pcscd, which waits on the software card; a card answering vpcd on
 * that same blocked thread never answers (e2e runs hung for good under load). insertCardFile must
 * therefore run the card on a thread of its own. Shown deterministically by blocking this thread
 * outright (execFileSync) while another PC/SC client — the child — reads the card: a card on this
 * thread could not answer one APDU until the child gave up.
 */
it('a card inserted with insertCardFile answers pcscd while the inserting thread is blocked', async () => {
  const path = await writeTestCard({});
  const expected = createHash('sha256')
    .update(new X509Certificate((await loadCardFile(path)).auth.certificateChainPem[0]!).raw)
    .digest('hex');
  const card = await insertCardFile(path, { port: 35963 });
  try {
    await new Promise((r) => setTimeout(r, 500)); // pcscd powers the card up (ATR) on insertion
    const child = join(import.meta.dirname, 'read-card.child.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 25_000, killSignal: 'SIGKILL' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ sha256: expected });
  } finally {
    await card.close();
  }
  await card.ended;
}, 40_000);
