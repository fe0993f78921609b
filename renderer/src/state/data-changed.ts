import { events } from '../bridge';

/**
 * The local data changed (a pull brought records, a local write, the user's units changed): calls
 * `listener` when one of `kinds` changed (sync names, e.g. `journal_entry`, or `units`), or on
 * every change with `'any'`. Returns the unsubscribe, for a component's effect to return.
 */
export function onDataChanged(kinds: readonly string[] | 'any', listener: () => void): () => void {
  return events.on('data.changed', (e) => {
    if (kinds === 'any' || e.kinds.some((k) => kinds.includes(k))) listener();
  });
}
