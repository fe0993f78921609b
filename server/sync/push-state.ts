import type { Mutation } from '#contract';
import type { Queryable } from '../db/types';
import { emptyState, PUSH_KINDS, stateKeys, type BatchState } from './push-rules';

/**
 * Loads what the push rules (push-rules.ts) need to decide a whole batch, with one set query per
 * kind of fact and none for a kind the batch does not need: the clients it names and which of the
 * ids it creates are taken (in any kind's `idTable`) here, the rest by each kind's `load` (the
 * records it marks `FOR UPDATE`, in id order, so a concurrent marking waits for this transaction
 * and then sees the mark).
 */
export async function loadBatchState(tx: Queryable, mutations: readonly Mutation[]): Promise<BatchState> {
  const keys = stateKeys(mutations) as Record<string, string[]> & { clientIds: string[]; createdIds: string[] };
  const state = emptyState();
  if (keys.clientIds.length > 0) {
    const { rows } = await tx.query<{ id: string; unit_id: string }>('SELECT id, unit_id FROM clients WHERE id = ANY($1::uuid[])', [keys.clientIds]);
    for (const r of rows) state.clients.set(r.id, r.unit_id);
  }
  if (keys.createdIds.length > 0 && ID_TABLES.length > 0) {
    const { rows } = await tx.query<{ id: string }>(ID_TABLES.map((t) => `SELECT id FROM ${t} WHERE id = ANY($1::uuid[])`).join(' UNION ALL '), [keys.createdIds]);
    for (const r of rows) state.taken.add(r.id);
  }
  for (const kind of PUSH_KINDS) await kind.load(tx, keys, state);
  return state;
}

const ID_TABLES = PUSH_KINDS.flatMap((k) => (k.idTable ? [k.idTable] : []));
