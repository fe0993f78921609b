import type { Queryable } from '../db/types';
import { verifyChain } from './access-log';
import { appendCheckpoint, checkAgainstCheckpoint, readLatestCheckpoint, signCheckpoint, type AnchorCheck, type ChainHead } from './anchor';
import { verifyJournalChains } from './journal-chain';

/**
 * One verification of everything that is evidence (`npm run verify-log`, tools/verify-log.ts):
 * the access log's chain, every client's journal chain, and — with an anchor file — that the
 * newest signed checkpoint's heads are all still there. With a private key it then appends a new
 * checkpoint of the heads it verified.
 */
export interface VerifyOptions {
  anchorFile?: string;
  /** Ed25519 public key (PEM) the checkpoints are verified with. */
  anchorPublicKey?: string;
  /** Ed25519 private key (PEM): write a checkpoint after a successful verification. */
  anchorPrivateKey?: string;
  now?: () => Date;
}

export interface LogVerification {
  ok: boolean;
  accessLog: { ok: boolean; rows: number; brokenAt?: string; reason?: string };
  journal: { ok: boolean; entries: number; clients: number; brokenAt?: { clientId: string; entryId: string; reason: string } };
  anchor?: AnchorCheck & { checkpointAt: string | null };
  checkpointWritten?: boolean;
}

export async function verifyLogs(db: Queryable, options: VerifyOptions = {}): Promise<LogVerification> {
  const access = await verifyChain(db);
  const journal = await verifyJournalChains(db);
  const heads: Record<string, ChainHead> = {};
  if (access.head) heads.access_log = { position: access.head.id, hash: access.head.hash };
  for (const [clientId, h] of Object.entries(journal.heads)) heads[`journal:${clientId}`] = { position: String(h.index), hash: h.hash };

  const result: LogVerification = {
    ok: access.ok && journal.ok,
    accessLog: { ok: access.ok, rows: access.rows, ...(access.brokenAt ? { brokenAt: access.brokenAt, reason: access.reason } : {}) },
    journal: { ok: journal.ok, entries: journal.entries, clients: journal.clients, ...(journal.brokenAt ? { brokenAt: journal.brokenAt } : {}) },
  };
  if (options.anchorFile && options.anchorPublicKey) {
    const latest = await readLatestCheckpoint(options.anchorFile, options.anchorPublicKey).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    });
    const check = latest ? await checkAgainstCheckpoint(db, latest) : { ok: true, checked: 0, missing: [], changed: [] };
    result.anchor = { ...check, checkpointAt: latest?.at ?? null };
    result.ok &&= check.ok;
  }
  if (result.ok && options.anchorFile && options.anchorPrivateKey) {
    const at = (options.now ?? (() => new Date()))().toISOString();
    await appendCheckpoint(options.anchorFile, signCheckpoint({ v: 1, at, heads }, options.anchorPrivateKey));
    result.checkpointWritten = true;
  }
  return result;
}
