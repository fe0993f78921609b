import { z } from 'zod';
import { assignmentsKind } from './assignments';
import { PermittedUnit } from './auth';
import { clientsKind } from './clients';
import { consentsKind } from './consents';
import { dayNotesKind } from './daynotes';
import { deviationsKind } from './deviations';
import { Uuid } from './domain';
import { journalKind } from './journal';
import { messagesKind, messageThreadsKind } from './messages';
import { noticesKind } from './notices';
import { plansKind } from './plans';
import { ErrorCode } from './result';
import type { SyncKind } from './sync-kind';
import { IsoDateTime } from './values';

export { Author } from './sync-kind';
export { ClientRecord } from './clients';
export { DayNoteRecord } from './daynotes';
export { JournalEntryRecord, LifeArea, LIFE_AREA_LABELS_SV } from './journal';

/**
 * Sync between the workstation's encrypted store and the server. Pull: a change feed per unit,
 * scoped to the units the user holds an active permission for at that moment; each unit has its
 * own cursor, so a newly granted unit starts from 0 and an ended one simply stops appearing (the
 * workstation purges it). Push: mutations with client-generated ids, applied at most once.
 * See docs/sync.md.
 */

/**
 * The synced record kinds, each declared once in its feature's contract module: one line each.
 * The feed's changes and the push's mutations below are built from this list; each layer has a
 * registry of the same kinds (main/store/kinds.ts, server/kinds.ts). docs/adding-a-feature.md.
 */
export const SYNC_KINDS = [clientsKind, journalKind, dayNotesKind, assignmentsKind, plansKind, messageThreadsKind, messagesKind, noticesKind, deviationsKind, consentsKind] as const;
type Kinds = typeof SYNC_KINDS;

type NamesOf<K> = K extends readonly [infer H extends SyncKind, ...infer T] ? [H['name'], ...NamesOf<T>] : [];
export const RecordType = z.enum(SYNC_KINDS.map((k) => k.name) as NamesOf<Kinds>);
export type RecordType = z.infer<typeof RecordType>;

const Seq = z.number().int().positive();
const upsertOf = <K extends SyncKind>(k: K) =>
  z.object({ seq: Seq, op: z.literal('upsert'), type: z.literal(k.name as K['name']), id: Uuid, unitId: Uuid, record: k.record as K['record'] });
type UpsertsOf<K> = K extends readonly [infer H extends SyncKind, ...infer T] ? [ReturnType<typeof upsertOf<H>>, ...UpsertsOf<T>] : [];

// Discriminated by op, then (upserts) by type: a delete's `type` overlaps the upserts' literals,
// which one flat discriminated union on `type` refuses at parse time.
export const Change = z.discriminatedUnion('op', [
  z.discriminatedUnion('type', SYNC_KINDS.map(upsertOf) as unknown as UpsertsOf<Kinds>),
  z.object({ seq: Seq, op: z.literal('delete'), type: RecordType, id: Uuid, unitId: Uuid }),
]);
export type Change = z.infer<typeof Change>;

/** unitId → last seq seen for that unit (0 = nothing yet). */
export const Cursors = z.record(Uuid, z.number().int().nonnegative());
export type Cursors = z.infer<typeof Cursors>;

export const PullRequest = z.object({ cursors: Cursors, limit: z.number().int().min(1).max(5_000).optional() }).strict();
export type PullRequest = z.infer<typeof PullRequest>;

export const PullResponse = z.object({
  /** The user's scope right now: everything of other units is to be purged from the workstation. */
  units: z.array(PermittedUnit),
  changes: z.array(Change),
  cursors: Cursors,
  /** More changes wait: pull again at once with the new cursors. */
  hasMore: z.boolean(),
  /** Server time, for retention decisions on the workstation. */
  serverTime: IsoDateTime,
  /**
   * Per record kind with a retention (server setting, e.g. `day_note`: 90): its records older than
   * this many days are gone from the server and go from the workstation after the run.
   */
  retentionDays: z.partialRecord(RecordType, z.number().int().positive()),
});
export type PullResponse = z.infer<typeof PullResponse>;

/**
 * A pull answer's `cursors` and `hasMore` again, as the HTTP header `x-sync-next` (JSON): the
 * workstation asks for the next page as soon as the headers arrive, while its store still reads
 * and applies this one (docs/sync.md, "One run"). The body stays the authority: a header that
 * differs from it makes the page a SERVER_ERROR.
 */
export const PULL_NEXT_HEADER = 'x-sync-next';
export const PullNext = z.object({ cursors: Cursors, hasMore: z.boolean() }).strict();
export type PullNext = z.infer<typeof PullNext>;

type Flat<K> = K extends readonly [infer H extends SyncKind, ...infer T] ? [...H['mutations'], ...Flat<T>] : [];
/** Every mutation of every registered kind. */
export const Mutation = z.discriminatedUnion('type', SYNC_KINDS.flatMap((k): readonly z.ZodObject[] => k.mutations) as unknown as Flat<Kinds>);
export type Mutation = z.infer<typeof Mutation>;
export type MutationType = Mutation['type'];

export const PushRequest = z.object({ mutations: z.array(Mutation).min(1).max(500) }).strict();
export type PushRequest = z.infer<typeof PushRequest>;

export const MutationResult = z.discriminatedUnion('status', [
  /** Applied now, or earlier (the same mutationId again answers the same). */
  z.object({ mutationId: Uuid, status: z.literal('applied'), seq: z.number().int().positive() }),
  /** The server refused it for good; the reason is shown to the user. Retrying will not help. */
  z.object({ mutationId: Uuid, status: z.literal('refused'), error: z.object({ code: ErrorCode, message: z.string() }) }),
]);
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.object({ results: z.array(MutationResult) });
export type PushResponse = z.infer<typeof PushResponse>;

/** Server-sent events: `event: changed`, data `{ unitIds }` — the workstation pulls. */
export const SyncEvent = z.object({ unitIds: z.array(Uuid) });

export const syncRoutes = {
  pull: { method: 'POST', path: '/api/v1/sync/pull', body: PullRequest, response: PullResponse },
  push: { method: 'POST', path: '/api/v1/sync/push', body: PushRequest, response: PushResponse },
  events: { method: 'GET', path: '/api/v1/sync/events' },
} as const;
