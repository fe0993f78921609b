import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types';
import { GENESIS_HASH } from './access-log';

/**
 * Verification of the journal's hash chains (server/migrations/0007_journal_chain.sql): one chain
 * per client, entries numbered 1, 2, … by chain_index. The hash is recomputed here, independently
 * of the database's function, so a verifier does not trust the database's code.
 */

interface Row {
  id: string;
  client_id: string;
  chain_index: number;
  unit_id: string;
  event_date: string;
  text: string;
  life_area: string | null;
  assignment_id: string | null;
  corrects_id: string | null;
  author_staff_id: string;
  author_hsa_id: string;
  author_name: string;
  author_title: string;
  created_at: string;
  client_created_at: string | null;
  prev_hash: string;
  hash: string;
}

const field = (v: string | null): string => (v === null ? '-' : `${Buffer.byteLength(v, 'utf8')}:${v}`);

export function journalRowHash(r: Omit<Row, 'hash'>): string {
  const fields = [
    r.id, r.client_id, String(r.chain_index), r.unit_id, r.event_date, r.text, r.life_area, r.assignment_id, r.corrects_id,
    r.author_staff_id, r.author_hsa_id, r.author_name, r.author_title, r.created_at, r.client_created_at,
  ];
  return createHash('sha256').update(`${r.prev_hash}|journal:v1|${fields.map(field).join('|')}`, 'utf8').digest('hex');
}

export interface JournalVerification {
  ok: boolean;
  entries: number;
  clients: number;
  /** The first entry that does not fit, and why. */
  brokenAt?: { clientId: string; entryId: string; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'gap' };
  /** Each client's last entry: an anchored checkpoint keeps these to detect removal of a chain's tail. */
  heads: Record<string, { index: number; hash: string }>;
}

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** Walks every client's chain in pages; stops at the first break. */
export async function verifyJournalChains(db: Queryable, options: { pageSize?: number } = {}): Promise<JournalVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const heads: JournalVerification['heads'] = {};
  let entries = 0;
  let after: [string, number] = ['00000000-0000-0000-0000-000000000000', 0];
  for (;;) {
    const { rows } = await db.query<Row>(
      `SELECT id::text, client_id::text, chain_index, unit_id::text, to_char(event_date, 'YYYY-MM-DD') AS event_date, text, life_area,
              assignment_id::text, corrects_id::text, author_staff_id::text, author_hsa_id, author_name, author_title,
              to_char(created_at AT TIME ZONE 'UTC', ${TS}) AS created_at,
              to_char(client_created_at AT TIME ZONE 'UTC', ${TS}) AS client_created_at, prev_hash, hash
         FROM journal_entries WHERE (client_id, chain_index) > ($1::uuid, $2::int)
        ORDER BY client_id, chain_index LIMIT $3`,
      [after[0], after[1], pageSize],
    );
    for (const r of rows) {
      entries++;
      const head = heads[r.client_id];
      const broken = (reason: NonNullable<JournalVerification['brokenAt']>['reason']): JournalVerification => ({
        ok: false,
        entries,
        clients: Object.keys(heads).length,
        brokenAt: { clientId: r.client_id, entryId: r.id, reason },
        heads,
      });
      if (r.chain_index !== (head?.index ?? 0) + 1) return broken('gap');
      if (r.prev_hash !== (head?.hash ?? GENESIS_HASH)) return broken('prev_hash_mismatch');
      if (journalRowHash(r) !== r.hash) return broken('hash_mismatch');
      heads[r.client_id] = { index: r.chain_index, hash: r.hash };
    }
    if (rows.length < pageSize) break;
    const last = rows[rows.length - 1]!;
    after = [last.client_id, last.chain_index];
  }
  return { ok: true, entries, clients: Object.keys(heads).length, heads };
}
