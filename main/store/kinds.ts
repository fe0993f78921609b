import type { RecordType } from '#contract';
import { assignmentsStore } from './assignments-sql';
import { clientsStore } from './clients-sql';
import { consentsStore } from './consents-sql';
import { dayNotesStore } from './daynotes-sql';
import { deviationsStore } from './deviations-sql';
import { journalStore } from './journal-sql';
import type { KindPart } from './kind';
import { messagesStore, messageThreadsStore } from './messages-sql';
import { noticesStore } from './notices-sql';
import { plansStore } from './plans-sql';

/**
 * The synced record kinds in the store: one line each (docs/adding-a-feature.md). The same kinds
 * as contract/sync.ts's SYNC_KINDS (a test checks both lists and every mutation's handler).
 */
export const STORE_KINDS = [clientsStore, journalStore, dayNotesStore, assignmentsStore, plansStore, messageThreadsStore, messagesStore, noticesStore, deviationsStore, consentsStore] as const;

type Kinds = (typeof STORE_KINDS)[number];
/** Each kind's part over one connection, by the kind's name. */
export type KindParts = { [K in Kinds as K['name']]: ReturnType<K['open']> };

type Fn = (...args: never[]) => unknown;
/** The methods a part names in its `localWrites` (local state that is no mutation: a plan's work in progress). */
type LocalWritesOf<P> = P extends { localWrites: readonly (infer W)[] } ? W : never;
/** A kind's own reads: its part's public methods beyond the generic ones (KindPart) and its local writes, for LocalStore.read. */
export type KindReads = {
  [K in keyof KindParts]: { [M in Exclude<keyof KindParts[K], keyof KindPart<RecordType> | 'retention' | LocalWritesOf<KindParts[K]>> as KindParts[K][M] extends Fn ? M : never]: KindParts[K][M] };
};
/** A kind's own local writes (its part's `localWrites`), for LocalStore.write. */
export type KindWrites = {
  [K in keyof KindParts]: { [M in LocalWritesOf<KindParts[K]> & keyof KindParts[K]]: KindParts[K][M] };
};
