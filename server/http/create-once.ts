import { AppFailure } from '#contract';
import type { Db, Queryable } from '../db/types';

/**
 * Every create over the HTTP API at most once per client-made id (migration 0050, docs/sync.md
 * "Every create once"). The claim is inserted in the create's own transaction: a second send of
 * the same id waits on the first's uncommitted row (the primary key), then finds it and answers
 * the record made the first time; a create that throws rolls its claim back, so a retry runs.
 * Without an id the create simply runs (callers that do not send one get no protection).
 */
export interface CreateClaim {
  /** The client-made id; undefined: no protection. */
  key: string | undefined;
  staffId: string;
  /** The route's contract name ('messages.start'): the same id on another route is a CONFLICT. */
  route: string;
}

export const CREATE_ID_TAKEN = 'Id:t för den här åtgärden har redan använts till något annat. Ladda om sidan och försök igen.';

/**
 * Runs `create` (given a Db whose `transaction` is the claim's own) unless `claim.key` was seen:
 * returns the record's id and whether it was made now (log a `change` only then).
 */
export async function createOnce(db: Db, claim: CreateClaim, create: (db: Db) => Promise<string>): Promise<{ recordId: string; created: boolean }> {
  if (claim.key === undefined) return { recordId: await create(db), created: true };
  const key = claim.key;
  return db.transaction(async (tx) => {
    const { rows } = await tx.query(
      'INSERT INTO create_requests (request_id, staff_id, route, created_at) VALUES ($1, $2, $3, now()) ON CONFLICT (request_id) DO NOTHING RETURNING request_id',
      [key, claim.staffId, claim.route],
    );
    if (rows.length === 0) {
      const { rows: stored } = await tx.query<{ staff_id: string; route: string; record_id: string | null }>(
        'SELECT staff_id, route, record_id FROM create_requests WHERE request_id = $1',
        [key],
      );
      const s = stored[0];
      if (!s || s.staff_id !== claim.staffId || s.route !== claim.route || s.record_id === null) throw new AppFailure('CONFLICT', CREATE_ID_TAKEN);
      return { recordId: s.record_id, created: false };
    }
    const recordId = await create(withinTransaction(tx, db));
    await tx.query('UPDATE create_requests SET record_id = $2 WHERE request_id = $1', [key, recordId]);
    return { recordId, created: true };
  });
}

/** A Db that runs on the open transaction `tx`: its `transaction(fn)` is `fn(tx)` (one transaction, the claim's). */
function withinTransaction(tx: Queryable, db: Db): Db {
  return {
    kind: db.kind,
    query: (sql, params) => tx.query(sql, params),
    exec: (sql) => tx.exec(sql),
    transaction: (fn) => fn(tx),
    listen: () => Promise.reject(new Error('createOnce: no LISTEN inside a create')),
    close: () => Promise.reject(new Error('createOnce: the transaction is not the database')),
  };
}
