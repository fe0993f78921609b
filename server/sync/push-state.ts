import type { Mutation } from '#contract';
import type { Queryable } from '../db/types';
import type { PushRegistry } from './push-rules';

/**
 * Loads what the push rules (push-rules.ts) need to decide a whole batch, with one set query per
 * kind of fact and none for a kind the batch does not need: the clients it names and which of the
 * ids it creates are taken (in any kind's `idTable`) here, the rest by each kind's `load` (the
 * records it marks `FOR UPDATE`, in id order, so a concurrent marking waits for this transaction
 * and then sees the mark).
 */
export async function loadBatchState<Ks extends readonly unknown[]>(tx: Queryable, rules: PushRegistry<Ks>, mutations: readonly Mutation[]): Promise<ReturnType<PushRegistry<Ks>['emptyState']>> {
  const keys = rules.stateKeys(mutations) as Record<string, string[]> & { clientIds: string[]; createdIds: string[] };
  const state = rules.emptyState();
  if (keys.clientIds.length > 0) {
    const { rows } = await tx.query<{ id: string; unit_id: string }>('SELECT id, unit_id FROM clients WHERE id = ANY($1::uuid[])', [keys.clientIds]);
    for (const r of rows) state.clients.set(r.id, r.unit_id);
  }
  const idTables = rules.kinds.flatMap((k) => (k.idTable ? [k.idTable] : []));
  if (keys.createdIds.length > 0 && idTables.length > 0) {
    const { rows } = await tx.query<{ id: string }>(idTables.map((t) => `SELECT id FROM ${t} WHERE id = ANY($1::uuid[])`).join(' UNION ALL '), [keys.createdIds]);
    for (const r of rows) state.taken.add(r.id);
  }
  for (const kind of rules.kinds) await kind.load(tx, keys, state as never);
  return state;
}
