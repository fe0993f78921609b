import type { Db, Queryable } from '../db/types';
import { verifyChain } from './access-log';
import { appendCheckpoint, checkAgainstCheckpoint, readLatestCheckpoint, signCheckpoint, type AnchorCheck, type ChainHead } from './anchor';
import { verifyEvidenceChain, type EvidenceVerification } from './evidence-chain';
import { verifyJournalChains } from './journal-chain';

/**
 * One verification of everything that is evidence (`npm run verify-log`, tools/verify-log.ts):
 * the access log's chain, every client's journal chain, the evidence chain (messages, incidents,
 * the permission history: server/audit/evidence-chain.ts), and — with an anchor file — that the
 * newest signed checkpoint's heads are all still there, and how many rows came after it and how
 * old they are (`unanchored`: rows a checkpoint does not cover yet). With a private key it then
 * appends a new checkpoint of the heads it verified.
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
  evidence: Omit<EvidenceVerification, 'head'>;
  /** Rows after the newest checkpoint (all rows without one): how many, and the age in seconds of the newest and the oldest of them. */
  unanchored: { rows: number; newestAgeS: number | null; oldestAgeS: number | null };
  anchor?: AnchorCheck & { checkpointAt: string | null };
  checkpointWritten?: boolean;
}

export async function verifyLogs(db: Db | Queryable, options: VerifyOptions = {}): Promise<LogVerification> {
  const now = (options.now ?? (() => new Date()))();
  const access = await verifyChain(db);
  const journal = await verifyJournalChains(db);
  const { head: evidenceHead, ...evidence } = await verifyEvidenceChain(db);
  const heads: Record<string, ChainHead> = {};
  if (access.head) heads.access_log = { position: access.head.id, hash: access.head.hash };
  for (const [clientId, h] of Object.entries(journal.heads)) heads[`journal:${clientId}`] = { position: String(h.index), hash: h.hash };
  if (evidenceHead) heads.evidence = { position: evidenceHead.id, hash: evidenceHead.hash };

  const result: LogVerification = {
    ok: access.ok && journal.ok && evidence.ok,
    accessLog: { ok: access.ok, rows: access.rows, ...(access.brokenAt ? { brokenAt: access.brokenAt, reason: access.reason } : {}) },
    journal: { ok: journal.ok, entries: journal.entries, clients: journal.clients, ...(journal.brokenAt ? { brokenAt: journal.brokenAt } : {}) },
    evidence,
    unanchored: { rows: 0, newestAgeS: null, oldestAgeS: null },
  };
  let latest: Awaited<ReturnType<typeof readLatestCheckpoint>> = null;
  if (options.anchorFile && options.anchorPublicKey) {
    latest = await readLatestCheckpoint(options.anchorFile, options.anchorPublicKey).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    });
    const check = latest ? await checkAgainstCheckpoint(db, latest) : { ok: true, checked: 0, missing: [], changed: [] };
    result.anchor = { ...check, checkpointAt: latest?.at ?? null };
    result.ok &&= check.ok;
  }
  result.unanchored = await unanchoredRows(db, latest?.heads ?? {}, latest?.at ?? null, now);
  if (result.ok && options.anchorFile && options.anchorPrivateKey) {
    const at = (options.now ?? (() => new Date()))().toISOString();
    await appendCheckpoint(options.anchorFile, signCheckpoint({ v: 1, at, heads }, options.anchorPrivateKey));
    result.checkpointWritten = true;
  }
  return result;
}

/**
 * What the newest checkpoint does not cover: access-log rows and evidence links after its heads,
 * journal entries saved after it. Without a checkpoint, every row.
 */
async function unanchoredRows(db: Queryable, heads: Record<string, ChainHead>, checkpointAt: string | null, now: Date): Promise<LogVerification['unanchored']> {
  const { rows } = await db.query<{ n: number; newest: Date | string | null; oldest: Date | string | null }>(
    `SELECT sum(n)::int AS n, max(newest) AS newest, min(oldest) AS oldest FROM (
       SELECT count(*) AS n, max(at) AS newest, min(at) AS oldest FROM access_log WHERE id > $1::bigint
       UNION ALL SELECT count(*), max(at), min(at) FROM evidence_chain WHERE id > $2::bigint
       UNION ALL SELECT count(*), max(created_at), min(created_at) FROM journal_entries WHERE $3::timestamptz IS NULL OR created_at > $3::timestamptz
     ) t`,
    [heads.access_log?.position ?? '0', heads.evidence?.position ?? '0', checkpointAt],
  );
  const r = rows[0]!;
  const age = (t: Date | string | null) => (t === null ? null : Math.max(0, Math.round((now.getTime() - new Date(t).getTime()) / 1000)));
  return { rows: r.n ?? 0, newestAgeS: age(r.newest), oldestAgeS: age(r.oldest) };
}
