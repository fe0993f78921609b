import { MIGRATION_LOCK_KEY } from './db/migrate';
import type { Db } from './db/types';
import { SERVER_KINDS } from './kinds';
import { seedDemoOrganisation } from './seed/seed';

/**
 * Loads the demo organisation into an empty database (server/seed/), then each synced kind's demo
 * records (its `seed`, in the kind's folder: journal entries and day notes dated within the last
 * weeks relative to `now`, assignments, plans, notices, deviations), each only when the demo
 * organisation has none of them yet; in one transaction. Does nothing when all are there already,
 * so it is safe to run at every start (`SEED=1`). Returns whether it seeded anything. Every row
 * gets its change row by the triggers, so a workstation syncing from empty receives all of it.
 */
export async function seedDemoData(db: Db, now: Date = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Nodes started together seed once: the second waits here and then finds the organisation.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    let seeded = await seedDemoOrganisation(tx);
    // Each kind's demo records (its `seed`), in the registry's order: plans need assignments.
    for (const kind of SERVER_KINDS) if ('seed' in kind && kind.seed && (await kind.seed(tx, now))) seeded = true;
    return seeded;
  });
}
