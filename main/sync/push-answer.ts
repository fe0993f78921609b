import type { PushResponse } from '#contract';
import type { LocalStore, OutboxEntry } from '../store/types';
import { kindOf, type Suspect } from './failure-judge';

/** How long a write held for a higher assurance level waits before it is offered again (a step-up takes about this long). */
const HELD_FOR_LOA_MS = 30_000;

/**
 * Settles one push answer in the outbox: applied ones acknowledged, refused ones kept as refused
 * (their kinds returned, for data.changed), ones held for a higher assurance level parked, and the
 * first one the server did not answer returned as a suspect.
 */
export async function settlePushAnswer(
  store: LocalStore,
  entries: readonly OutboxEntry[],
  results: PushResponse['results'],
): Promise<{ applied: string[]; refusedKinds: string[]; unanswered: Suspect | null }> {
  const byId = new Map(results.map((r) => [r.mutationId, r]));
  const applied: string[] = [];
  const refusedKinds: string[] = [];
  let unanswered: Suspect | null = null;
  for (const entry of entries) {
    const r = byId.get(entry.mutation.mutationId);
    if (!r) {
      unanswered ??= { mutationId: entry.mutation.mutationId, type: entry.mutation.type, error: 'Servern svarade inte på ändringen' };
      continue;
    }
    if (r.status === 'applied') applied.push(r.mutationId);
    else if (r.error.code === 'LOA_TOO_LOW') {
      // Held for a higher assurance level (issue 29: an LoA2 login writes only client-free
      // messages): not refused, nothing lost. It waits, and goes once a login opens client data.
      await store.noteAttempt([r.mutationId], r.error.message);
      await store.park(r.mutationId, new Date(Date.now() + HELD_FOR_LOA_MS));
    } else {
      await store.refuse(r.mutationId, r.error);
      refusedKinds.push(kindOf(entry.mutation.type));
    }
  }
  if (applied.length > 0) await store.acknowledge(applied);
  return { applied, refusedKinds, unanswered };
}
