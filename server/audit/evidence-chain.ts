import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../db/types';
import { GENESIS_HASH } from './access-log';

/**
 * The evidence chain (server/migrations/0046_evidence_chain.sql): messages, their threads and
 * attachments, security incidents and their clients, and the permission history, each row as a
 * link holding its SHA-256. Verified here without trusting the database's code: every link's hash
 * recomputed, each link pointing at the one before, and each row's latest digest equal to the row
 * as it is now in its table — so a row changed, removed, or added without its link is found.
 */
export const EVIDENCE_TABLES = ['permission_events', 'security_incidents', 'security_incident_clients', 'message_threads', 'messages', 'message_attachments'] as const;

interface Link {
  id: string;
  at: string;
  table_name: string;
  row_key: string;
  row_digest: string;
  prev_hash: string;
  hash: string;
}

export const evidenceLinkHash = (l: Omit<Link, 'id' | 'hash'>): string =>
  createHash('sha256').update(`${l.prev_hash}|evidence:v1|${l.table_name}|${l.row_key}|${l.row_digest}|${l.at}`, 'utf8').digest('hex');

export interface EvidenceVerification {
  ok: boolean;
  links: number;
  rows: Record<string, number>;
  /** The first fault found. */
  brokenAt?: { table: string; key: string; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'row_changed' | 'row_removed' | 'row_without_link' };
  head?: { id: string; hash: string };
}

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** Runs `fn` with the session in UTC (rows become the same JSON text the triggers hashed). */
async function inUtc<T>(db: Db | Queryable, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if ('transaction' in db) {
    return db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('timezone', 'UTC', true)`);
      return fn(tx);
    });
  }
  await db.query(`SELECT set_config('timezone', 'UTC', false)`);
  return fn(db);
}

export async function verifyEvidenceChain(db: Db | Queryable, options: { pageSize?: number } = {}): Promise<EvidenceVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const latest = new Map<string, string>();
  let prev = GENESIS_HASH;
  let links = 0;
  let after = '0';
  let head: EvidenceVerification['head'];
  const rows: Record<string, number> = {};
  for (;;) {
    const page = await db.query<Link>(
      `SELECT id::text, to_char(at AT TIME ZONE 'UTC', ${TS}) AS at, table_name, row_key, row_digest, prev_hash, hash
         FROM evidence_chain WHERE id > $1::bigint ORDER BY id LIMIT $2`,
      [after, pageSize],
    );
    for (const l of page.rows) {
      links++;
      const broken = (reason: 'hash_mismatch' | 'prev_hash_mismatch'): EvidenceVerification => ({ ok: false, links, rows, brokenAt: { table: l.table_name, key: l.row_key, reason } });
      if (l.prev_hash !== prev) return broken('prev_hash_mismatch');
      if (evidenceLinkHash(l) !== l.hash) return broken('hash_mismatch');
      prev = l.hash;
      head = { id: l.id, hash: l.hash };
      latest.set(`${l.table_name}\u0000${l.row_key}`, l.row_digest);
    }
    if (page.rows.length < pageSize) break;
    after = page.rows[page.rows.length - 1]!.id;
  }
  return inUtc(db, async (q) => {
    const seen = new Set<string>();
    for (const table of EVIDENCE_TABLES) {
      const { rows: current } = await q.query<{ j: string; id: string | null }>(`SELECT to_jsonb(x)::text AS j, to_jsonb(x)->>'id' AS id FROM ${table} x`);
      rows[table] = current.length;
      for (const r of current) {
        const digest = createHash('sha256').update(r.j, 'utf8').digest('hex');
        const key = r.id ?? digest;
        const name = `${table}\u0000${key}`;
        seen.add(name);
        const linked = latest.get(name);
        if (linked === undefined) return { ok: false, links, rows, brokenAt: { table, key, reason: 'row_without_link' as const } };
        if (linked !== digest) return { ok: false, links, rows, brokenAt: { table, key, reason: 'row_changed' as const } };
      }
    }
    for (const name of latest.keys()) {
      if (seen.has(name)) continue;
      const [table = '', key = ''] = name.split('\u0000');
      return { ok: false, links, rows, brokenAt: { table, key, reason: 'row_removed' as const } };
    }
    return { ok: true, links, rows, ...(head ? { head } : {}) };
  });
}
