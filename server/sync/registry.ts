import type { ServerKind } from './kind';
import { pullFeed, type PullFeed } from './pull';
import { pushRules, type PushRegistry } from './push-rules';
import { retainedOf, type RetainedKind } from './retention';

/**
 * What the generic sync runs for a list of kinds, built once from the list it is handed
 * (server/kinds.ts builds the server's; server/app.ts hands it to the sync routes and the retention
 * job). Nothing in server/sync/ imports a kind.
 */
export interface SyncRegistry<Ks extends readonly ServerKind[] = readonly ServerKind[]> {
  kinds: Ks;
  push: PushRegistry<Ks>;
  pull: PullFeed;
  retained: readonly RetainedKind[];
}

export function syncRegistry<const Ks extends readonly ServerKind[]>(kinds: Ks): SyncRegistry<Ks> {
  const retained = retainedOf(kinds);
  return { kinds, push: pushRules(kinds), pull: pullFeed(kinds, retained), retained };
}
