import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { Queryable } from '../db/types';

/**
 * Externally anchored heads of the hash chains (docs/security.md): a chain detects any change
 * inside it, but not the removal of its newest rows, nor a rewrite of the whole chain by someone
 * who can write the database. A checkpoint is the heads of every chain at one moment, signed with
 * an Ed25519 key the database's roles never see, appended as one JSON line to a file those roles
 * cannot write (another host, a WORM share, a file owned by another OS user). Verification then
 * checks that every checkpointed head is still in its chain with the same hash.
 *
 * Chains are named, so another record kind (e.g. the administration log) adds its own heads:
 *   'access_log'          position = the row id
 *   'journal:<clientId>'  position = the entry's chain_index
 */
export interface ChainHead {
  position: string;
  hash: string;
}

export interface Checkpoint {
  v: 1;
  at: string;
  heads: Record<string, ChainHead>;
}

export interface SignedCheckpoint extends Checkpoint {
  /** Ed25519 over canonicalCheckpoint(checkpoint), base64. */
  signature: string;
}

/** Where a named chain's row at `position` is, and its hash: one lookup per chain kind. */
export type HeadLookup = (db: Queryable, chain: string, position: string) => Promise<string | null | undefined>;

/** The chains of this database: undefined for a chain name this lookup does not know. */
export const lookupHead: HeadLookup = async (db, chain, position) => {
  if (chain === 'access_log') {
    const { rows } = await db.query<{ hash: string }>('SELECT hash FROM access_log WHERE id = $1::bigint', [position]);
    return rows[0]?.hash ?? null;
  }
  if (chain.startsWith('journal:')) {
    const { rows } = await db.query<{ hash: string }>('SELECT hash FROM journal_entries WHERE client_id = $1::uuid AND chain_index = $2::int', [
      chain.slice('journal:'.length),
      position,
    ]);
    return rows[0]?.hash ?? null;
  }
  if (chain === 'evidence') {
    const { rows } = await db.query<{ hash: string }>('SELECT hash FROM evidence_chain WHERE id = $1::bigint', [position]);
    return rows[0]?.hash ?? null;
  }
  return undefined;
};

const sorted = (heads: Record<string, ChainHead>) =>
  Object.fromEntries(Object.keys(heads).sort().map((k) => [k, { position: heads[k]!.position, hash: heads[k]!.hash }]));

/** The bytes signed: keys in a fixed order. */
export const canonicalCheckpoint = (c: Checkpoint): Buffer => Buffer.from(JSON.stringify({ v: c.v, at: c.at, heads: sorted(c.heads) }), 'utf8');

const privateKey = (pem: string | KeyObject) => (typeof pem === 'string' ? createPrivateKey(pem) : pem);
const publicKey = (pem: string | KeyObject) => (typeof pem === 'string' ? createPublicKey(pem) : pem);

export function signCheckpoint(c: Checkpoint, key: string | KeyObject): SignedCheckpoint {
  return { ...c, heads: sorted(c.heads), signature: sign(null, canonicalCheckpoint(c), privateKey(key)).toString('base64') };
}

export async function appendCheckpoint(file: string, c: SignedCheckpoint): Promise<void> {
  await appendFile(file, `${JSON.stringify(c)}\n`, { mode: 0o600 });
}

/** The newest checkpoint of `file` whose signature holds; throws when the newest line is forged or unreadable. */
export async function readLatestCheckpoint(file: string, key: string | KeyObject): Promise<SignedCheckpoint | null> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const last = lines.at(-1);
  if (!last) return null;
  const c = JSON.parse(last) as SignedCheckpoint;
  if (c.v !== 1 || typeof c.signature !== 'string' || !verify(null, canonicalCheckpoint(c), publicKey(key), Buffer.from(c.signature, 'base64'))) {
    throw new Error('anchor: the newest checkpoint does not carry a valid signature');
  }
  return c;
}

export interface AnchorCheck {
  ok: boolean;
  checked: number;
  /** Chains whose checkpointed head is gone (removed tail, rewritten chain) or has another hash. */
  missing: string[];
  changed: string[];
}

/** Every head of `c` must still be in its chain with the same hash (the chains themselves verified separately). */
export async function checkAgainstCheckpoint(db: Queryable, c: Checkpoint, lookup: HeadLookup = lookupHead): Promise<AnchorCheck> {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [chain, head] of Object.entries(c.heads)) {
    const hash = await lookup(db, chain, head.position);
    if (hash === undefined) continue;
    if (hash === null) missing.push(chain);
    else if (hash !== head.hash) changed.push(chain);
  }
  return { ok: missing.length === 0 && changed.length === 0, checked: Object.keys(c.heads).length, missing, changed };
}
