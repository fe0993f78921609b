import { assignmentsServer } from './assignments/sync';
import { clientsServer } from './clients/sync';
import { dayNotesServer } from './daynotes/sync';
import { deviationsServer } from './deviations/sync';
import { journalServer } from './journal/sync';
import { messagesServer, messageThreadsServer } from './messages/sync';
import { noticesServer } from './notices/sync';
import { plansServer } from './plans/sync';

/**
 * The synced record kinds on the server: one line each (docs/adding-a-feature.md). The same kinds as
 * contract/sync.ts's SYNC_KINDS (test/unit/sync/kinds.test.ts checks every layer's list).
 */
export const SERVER_KINDS = [clientsServer, journalServer, dayNotesServer, assignmentsServer, plansServer, messageThreadsServer, messagesServer, noticesServer, deviationsServer] as const;
