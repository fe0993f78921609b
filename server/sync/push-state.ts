import type { Mutation } from '../../contract/sync';
import type { Queryable } from '../db/types';
import { stateKeys, type BatchState } from './push-rules';

/**
 * Loads what the push rules (push-rules.ts) need to decide a whole batch, with one set query per
 * kind of fact and none for a kind the batch does not need: the clients it names, which of the ids
 * it creates are taken (journal or day note), the entries it corrects, the entries it marks
 * erroneous and the notes it marks summarised — the last two `FOR UPDATE` (in id order), so a
 * concurrent marking waits for this transaction and then sees the mark.
 */
export async function loadBatchState(tx: Queryable, mutations: readonly Mutation[]): Promise<BatchState> {
  const keys = stateKeys(mutations);
  const state: BatchState = { clients: new Map(), taken: new Set(), entries: new Map(), notes: new Map(), assignments: new Map() };
  if (keys.clientIds.length > 0) {
    const { rows } = await tx.query<{ id: string; unit_id: string }>('SELECT id, unit_id FROM clients WHERE id = ANY($1::uuid[])', [keys.clientIds]);
    for (const r of rows) state.clients.set(r.id, r.unit_id);
  }
  if (keys.createdIds.length > 0) {
    const { rows } = await tx.query<{ id: string }>(
      'SELECT id FROM journal_entries WHERE id = ANY($1::uuid[]) UNION ALL SELECT id FROM day_notes WHERE id = ANY($1::uuid[])',
      [keys.createdIds],
    );
    for (const r of rows) state.taken.add(r.id);
  }
  type EntryRow = { id: string; client_id: string; unit_id: string; marked: boolean };
  const entryColumns = 'id, client_id, unit_id, erroneous_at IS NOT NULL AS marked';
  const addEntries = (rows: EntryRow[]) => {
    for (const r of rows) state.entries.set(r.id, { clientId: r.client_id, unitId: r.unit_id, marked: r.marked });
  };
  if (keys.correctsIds.length > 0) {
    addEntries((await tx.query<EntryRow>(`SELECT ${entryColumns} FROM journal_entries WHERE id = ANY($1::uuid[])`, [keys.correctsIds])).rows);
  }
  if (keys.markedEntryIds.length > 0) {
    addEntries((await tx.query<EntryRow>(`SELECT ${entryColumns} FROM journal_entries WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [keys.markedEntryIds])).rows);
  }
  if (keys.summarisedNoteIds.length > 0) {
    const { rows } = await tx.query<{ id: string; client_id: string | null; unit_id: string; summarised: boolean }>(
      'SELECT id, client_id, unit_id, summarised_at IS NOT NULL AS summarised FROM day_notes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [keys.summarisedNoteIds],
    );
    for (const r of rows) state.notes.set(r.id, { clientId: r.client_id, unitId: r.unit_id, summarised: r.summarised });
  }
  if (keys.assignmentIds.length > 0) {
    const { rows } = await tx.query<{ id: string; client_id: string }>('SELECT id, client_id FROM assignments WHERE id = ANY($1::uuid[])', [keys.assignmentIds]);
    for (const r of rows) state.assignments!.set(r.id, r.client_id);
  }
  return state;
}
