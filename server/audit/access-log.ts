import { createHash } from 'node:crypto';
import { HsaId, Uuid } from '#contract';
import { AuthMethod, ErrorCode, Loa } from '#contract';
import type { Queryable } from '../db/types';
import { maskPersonalData } from '../logging';
import type { AccessEvent, AccessLog } from './access-events';

/**
 * The access log in PostgreSQL / PGlite: table `access_log` (server/migrations/0002_…sql),
 * append-only (UPDATE, DELETE and TRUNCATE raise) and hash-chained by a BEFORE INSERT trigger.
 * See docs/access-log.md.
 */

const RECORD_TYPE = /^[a-z_]{1,40}$/;
const RECORD_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const CERT_SHA256 = /^[0-9a-f]{64}$/;

/** Free text becomes a harmless label: safe characters only, personnummer-shaped digits masked. */
export const workstationLabel = (w: string | undefined): string | null => {
  if (w === undefined) return null;
  const label = maskPersonalData(w.normalize('NFC')).replace(/[^\p{L}\p{N} ._:[\]-]/gu, '_').slice(0, 100).trim();
  return label === '' ? null : label;
};

function checked(event: AccessEvent) {
  const invalid = (field: string): never => {
    // The value is not echoed: it might be exactly what must not be logged.
    throw new Error(`access log: invalid ${field}`);
  };
  const opt = <T>(value: T | undefined, ok: (v: T) => boolean, field: string): T | null =>
    value === undefined ? null : ok(value) ? value : invalid(field);

  // A UUID, or an opaque id that does not look like a personnummer.
  const recordId = opt(event.recordId, (v) => Uuid.safeParse(v).success || (RECORD_ID.test(v) && maskPersonalData(v) === v), 'recordId');
  return [
    event.at ?? null,
    opt(event.actorStaffId, (v) => Uuid.safeParse(v).success, 'actorStaffId'),
    opt(event.actorHsaId, (v) => HsaId.safeParse(v).success, 'actorHsaId'),
    event.action,
    event.outcome,
    opt(event.errorCode, (v) => ErrorCode.safeParse(v).success, 'errorCode'),
    opt(event.clientId, (v) => Uuid.safeParse(v).success, 'clientId'),
    opt(event.recordType, (v) => RECORD_TYPE.test(v), 'recordType'),
    recordId,
    workstationLabel(event.workstation),
    opt(event.certSha256, (v) => CERT_SHA256.test(v), 'certSha256'),
    opt(event.authMethod, (v) => AuthMethod.safeParse(v).success, 'authMethod'),
    opt(event.loa, (v) => Loa.safeParse(v).success, 'loa'),
  ];
}

type Checked = ReturnType<typeof checked>;

/** Events in one statement, in order (the chain trigger links them row by row); id, prev_hash and hash are set by the trigger. */
async function insertRows(db: Queryable, events: readonly Checked[]): Promise<void> {
  const params: unknown[] = [];
  const rows = events.map((values) => {
    const base = params.length;
    params.push(...values);
    const p = (i: number) => `$${base + i}`;
    return `(coalesce(${p(1)}::timestamptz, now()), ${p(2)}::uuid, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}::uuid, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}, ${p(13)}::smallint)`;
  });
  await db.query(
    `INSERT INTO access_log (at, actor_staff_id, actor_hsa_id, action, outcome, error_code, client_id, record_type, record_id, workstation, cert_sha256, auth_method, loa)
     VALUES ${rows.join(', ')}`,
    params,
  );
}

/**
 * Group commit of the events recorded outside a transaction on one node (issue 33, bench --
 * server): every insert takes the chain's lock until its commit, WAL flush included, so writers
 * across all nodes run one after another, and at hundreds of workstations the queue for that lock
 * was the server's bottleneck (pulls waited seconds on `Lock:advisory`). An event recorded while
 * the node's previous insert is in flight waits for it and then goes with every other waiting one
 * in one statement: one lock and one commit for the lot, and no delay at all when the log is idle.
 * Each caller still resolves only once its row is committed, and a failed batch is retried row by
 * row so that only the bad event fails.
 */
class GroupCommit {
  private waiting: { values: Checked; done: (error?: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly db: Queryable) {}

  add(values: Checked): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ values, done: (error) => (error === undefined ? resolve() : reject(error as Error)) });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, 200);
        try {
          await insertRows(this.db, batch.map((b) => b.values));
          for (const b of batch) b.done();
        } catch (error) {
          if (batch.length === 1) batch[0]!.done(error);
          else for (const b of batch) await insertRows(this.db, [b.values]).then(() => b.done(), (e: unknown) => b.done(e));
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/** One group commit per pool (per node); none inside a transaction, whose events commit with it. */
const groupCommits = new WeakMap<Queryable, GroupCommit>();
const isPool = (db: Queryable): boolean => 'transaction' in db && 'close' in db;

export class SqlAccessLog implements AccessLog {
  private readonly group: GroupCommit | undefined;

  constructor(private readonly db: Queryable) {
    if (isPool(db)) {
      this.group = groupCommits.get(db) ?? new GroupCommit(db);
      groupCommits.set(db, this.group);
    }
  }

  async record(event: AccessEvent): Promise<void> {
    const values = checked(event);
    if (this.group) await this.group.add(values);
    else await insertRows(this.db, [values]);
  }

  /** Several events in one statement, in order (the chain trigger links them row by row). */
  async recordAll(events: readonly AccessEvent[]): Promise<void> {
    if (events.length === 0) return;
    await insertRows(this.db, events.map(checked));
  }
}

/** One stored row, as the verifier reads it. */
export interface AccessLogRow {
  id: string;
  at: Date;
  actorStaffId: string | null;
  actorHsaId: string | null;
  action: string;
  outcome: string;
  errorCode: string | null;
  clientId: string | null;
  recordType: string | null;
  recordId: string | null;
  workstation: string | null;
  certSha256: string | null;
  /** How the session was opened (auth rows since migration 0070); null on other rows. */
  authMethod: string | null;
  /** The session's assurance level (auth rows since migration 0070); null on other rows. */
  loa: number | null;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

const field = (v: string | null): string => (v === null ? '-' : `${Buffer.byteLength(v, 'utf8')}:${v}`);

/**
 * hash = hex(SHA-256(utf8(prev_hash ‖ '|access-log:v1' ‖ '|' field …))), each field NULL as '-' or
 * (form v2, a row with auth_method or loa: '|access-log:v2', the same fields, then those two)
 * '<octet length>:<text>', `at` as UTC ISO 8601 with milliseconds. Must equal the SQL function
 * access_log_row_hash; computed here independently so verification does not trust the database's code.
 */
export function rowHash(r: Omit<AccessLogRow, 'hash'>): string {
  const fields = [
    r.id,
    r.at.toISOString(),
    r.actorStaffId,
    r.actorHsaId,
    r.action,
    r.outcome,
    r.errorCode,
    r.clientId,
    r.recordType,
    r.recordId,
    r.workstation,
    r.certSha256,
  ];
  // Form v2 (migration 0070): a row with a method or level appends both.
  const v2 = r.authMethod !== null || r.loa !== null;
  const extra = v2 ? `|${field(r.authMethod)}|${field(r.loa === null ? null : String(r.loa))}` : '';
  const text = `${r.prevHash}|access-log:${v2 ? 'v2' : 'v1'}|${fields.map(field).join('|')}${extra}`;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

interface DbRow {
  id: string;
  at: Date | string;
  actor_staff_id: string | null;
  actor_hsa_id: string | null;
  action: string;
  outcome: string;
  error_code: string | null;
  client_id: string | null;
  record_type: string | null;
  record_id: string | null;
  workstation: string | null;
  cert_sha256: string | null;
  auth_method: string | null;
  loa: number | null;
  prev_hash: string;
  hash: string;
}

const fromDb = (r: DbRow): AccessLogRow => ({
  id: r.id,
  at: new Date(r.at),
  actorStaffId: r.actor_staff_id,
  actorHsaId: r.actor_hsa_id,
  action: r.action,
  outcome: r.outcome,
  errorCode: r.error_code,
  clientId: r.client_id,
  recordType: r.record_type,
  recordId: r.record_id,
  workstation: r.workstation,
  certSha256: r.cert_sha256,
  authMethod: r.auth_method,
  loa: r.loa === null ? null : Number(r.loa),
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface ChainVerification {
  ok: boolean;
  /** Rows checked. */
  rows: number;
  /** id of the first row that does not fit: altered, or following a removed or inserted row. */
  brokenAt?: string;
  /** Why brokenAt broke. */
  reason?: 'hash_mismatch' | 'prev_hash_mismatch' | 'head_missing';
  /** The last row's id and hash: write these down (outside the database) to detect removal of the tail later. */
  head?: { id: string; hash: string };
}

/** The newest retention cut that dropped rows: where the remaining chain starts; null when nothing was dropped. */
export async function retentionCut(db: Queryable): Promise<{ id: string; hash: string } | null> {
  const { rows } = await db.query<{ id: string; hash: string }>(
    'SELECT r.last_id::text AS id, r.last_hash AS hash FROM access_log_retention r WHERE r.last_id IS NOT NULL ORDER BY r.id DESC LIMIT 1',
  );
  return rows[0] ?? null;
}

/**
 * Walks the whole log in id order, recomputing every hash and checking every link. Reads in pages,
 * so it works on a log of millions of rows. Detects any altered, inserted or removed row except
 * removal of the newest rows, which needs a head recorded earlier (`expectedHead`).
 */
export async function verifyChain(
  db: Queryable,
  options: { pageSize?: number; expectedHead?: { id: string; hash: string } } = {},
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 5_000;
  // Months dropped by the retention policy (migration 0080, access_log_drop_expired): the chain
  // continues from the newest dropped row, whose id and hash the cut recorded.
  const cut = await retentionCut(db);
  let prev = cut?.hash ?? GENESIS_HASH;
  let lastId = cut?.id ?? '0';
  let rows = 0;
  let head: ChainVerification['head'];
  let sawExpectedHead = options.expectedHead === undefined;
  for (;;) {
    const { rows: page } = await db.query<DbRow>(
      `SELECT id::text AS id, at, actor_staff_id::text AS actor_staff_id, actor_hsa_id, action, outcome, error_code,
              client_id::text AS client_id, record_type, record_id, workstation, cert_sha256, auth_method, loa, prev_hash, hash
         FROM access_log a WHERE a.id > $1::bigint ORDER BY a.id LIMIT $2`,
      [lastId, pageSize],
    );
    for (const raw of page) {
      const r = fromDb(raw);
      rows++;
      if (r.prevHash !== prev) return { ok: false, rows, brokenAt: r.id, reason: 'prev_hash_mismatch', head };
      if (rowHash(r) !== r.hash) return { ok: false, rows, brokenAt: r.id, reason: 'hash_mismatch', head };
      if (options.expectedHead && options.expectedHead.id === r.id) {
        if (options.expectedHead.hash !== r.hash) return { ok: false, rows, brokenAt: r.id, reason: 'hash_mismatch', head };
        sawExpectedHead = true;
      }
      prev = r.hash;
      head = { id: r.id, hash: r.hash };
    }
    if (page.length < pageSize) break;
    lastId = page[page.length - 1]!.id;
  }
  if (!sawExpectedHead) return { ok: false, rows, brokenAt: options.expectedHead!.id, reason: 'head_missing', head };
  return head ? { ok: true, rows, head } : { ok: true, rows };
}
