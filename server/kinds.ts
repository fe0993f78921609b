import { assignmentsServer } from './assignments';
import { clientsServer } from './clients';
import { consentsServer } from './consents';
import { dayNotesServer } from './daynotes';
import { deviationsServer } from './deviations';
import { journalServer } from './journal';
import { messagesServer, messageThreadsServer } from './messages';
import { noticesServer } from './notices';
import { plansServer } from './plans';
import { syncRegistry } from './sync/registry';

/**
 * The synced record kinds on the server: one line each (docs/adding-a-feature.md). The same kinds as
 * contract/sync.ts's SYNC_KINDS (test/unit/sync/kinds.test.ts checks every layer's list). This list
 * sits above the features and is handed down: server/app.ts gives it to the sync routes, the kinds'
 * routes and the retention job, server/startup.ts to the runtime role's grants and the demo seed.
 * Nothing below (server/sync/, server/db/, server/seed/) imports it.
 */
export const SERVER_KINDS = [clientsServer, journalServer, dayNotesServer, assignmentsServer, plansServer, messageThreadsServer, messagesServer, noticesServer, deviationsServer, consentsServer] as const;

/** What the generic sync runs for these kinds (server/sync/registry.ts), built once. */
export const SERVER_REGISTRY = syncRegistry(SERVER_KINDS);
