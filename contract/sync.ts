import { z } from 'zod';
import { PermittedUnit } from './auth';
import { ErrorCode } from './result';
import { Uuid } from './domain';
import { Assignment } from './assignments';
import { IsoDate, IsoDateTime, WrittenText } from './values';

/**
 * Sync between the workstation's encrypted store and the server. Pull: a change feed per unit,
 * scoped to the units the user holds an active permission for at that moment; each unit has its
 * own cursor, so a newly granted unit starts from 0 and an ended one simply stops appearing (the
 * workstation purges it). Push: mutations with client-generated ids, applied at most once.
 * See docs/sync.md.
 */

/** IBIC life areas (livsområden), built on ICF. */
export const LifeArea = z.enum([
  'learning',
  'general_tasks',
  'communication',
  'mobility',
  'self_care',
  'domestic_life',
  'relationships',
  'work_economy',
  'community_life',
  'safety',
  'relatives_support',
]);
export type LifeArea = z.infer<typeof LifeArea>;

/** IBIC's Swedish names of the life areas: domain vocabulary, shared by the UI and the printout. */
export const LIFE_AREA_LABELS_SV: Record<LifeArea, string> = {
  learning: 'Lärande och att tillämpa kunskap',
  general_tasks: 'Allmänna uppgifter och krav',
  communication: 'Kommunikation',
  mobility: 'Förflyttning',
  self_care: 'Personlig vård',
  domestic_life: 'Hemliv',
  relationships: 'Mellanmänskliga interaktioner och relationer',
  work_economy: 'Utbildning, arbete och ekonomi',
  community_life: 'Samhällsgemenskap, socialt och medborgerligt liv',
  safety: 'Trygghet',
  relatives_support: 'Stöd från anhöriga',
};

/** Who wrote a record, stamped by the server from the session (never from the client). */
export const Author = z.object({
  staffId: Uuid,
  hsaId: z.string(),
  name: z.string(),
  title: z.string(),
});
export type Author = z.infer<typeof Author>;

/** A client (brukare) of a unit. */
export const ClientRecord = z.object({
  id: Uuid,
  unitId: Uuid,
  /** 12 digits. */
  personnummer: z.string().regex(/^\d{12}$/),
  givenName: z.string(),
  familyName: z.string(),
});
export type ClientRecord = z.infer<typeof ClientRecord>;

/** An execution journal entry (verkställighetsjournal): append-only; corrections add entries. */
export const JournalEntryRecord = z.object({
  id: Uuid,
  clientId: Uuid,
  unitId: Uuid,
  /** The day the event happened. */
  eventDate: IsoDate,
  text: z.string().min(1).max(20_000),
  lifeArea: LifeArea.nullable(),
  assignmentId: Uuid.nullable(),
  author: Author,
  createdAt: IsoDateTime,
  /** Set when the entry was marked erroneous (felmarkerad); the entry itself never changes otherwise. */
  erroneous: z.object({ markedAt: IsoDateTime, markedBy: Author, reason: z.string() }).nullable(),
  /** The entry this one corrects. */
  correctsId: Uuid.nullable(),
});
export type JournalEntryRecord = z.infer<typeof JournalEntryRecord>;

/** A day note (daganteckning): short, for colleagues of the unit; deleted after the retention period. */
export const DayNoteRecord = z.object({
  id: Uuid,
  unitId: Uuid,
  clientId: Uuid.nullable(),
  text: z.string().min(1).max(4_000),
  author: Author,
  createdAt: IsoDateTime,
  summarisedAt: IsoDateTime.nullable(),
});
export type DayNoteRecord = z.infer<typeof DayNoteRecord>;

export const RecordType = z.enum(['client', 'journal_entry', 'day_note', 'assignment']);
export type RecordType = z.infer<typeof RecordType>;

// Discriminated by op, then (upserts) by type: a delete's `type` overlaps the upserts' literals,
// which one flat discriminated union on `type` refuses at parse time.
export const Change = z.discriminatedUnion('op', [
  z.discriminatedUnion('type', [
    z.object({ seq: z.number().int().positive(), op: z.literal('upsert'), type: z.literal('client'), id: Uuid, unitId: Uuid, record: ClientRecord }),
    z.object({ seq: z.number().int().positive(), op: z.literal('upsert'), type: z.literal('journal_entry'), id: Uuid, unitId: Uuid, record: JournalEntryRecord }),
    z.object({ seq: z.number().int().positive(), op: z.literal('upsert'), type: z.literal('day_note'), id: Uuid, unitId: Uuid, record: DayNoteRecord }),
    /** An assignment (uppdrag) as it is now, with its full history (contract/assignments.ts). */
    z.object({ seq: z.number().int().positive(), op: z.literal('upsert'), type: z.literal('assignment'), id: Uuid, unitId: Uuid, record: Assignment }),
  ]),
  z.object({ seq: z.number().int().positive(), op: z.literal('delete'), type: RecordType, id: Uuid, unitId: Uuid }),
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
  /** Day notes older than this many days are gone (server setting). */
  dayNoteRetentionDays: z.number().int().positive(),
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

/** Text a user writes is WrittenText (contract/values.ts): not blank, no NUL, which PostgreSQL cannot store. */
const MutationBase = { mutationId: Uuid, createdAt: IsoDateTime };
export const Mutation = z.discriminatedUnion('type', [
  z.object({
    ...MutationBase,
    type: z.literal('journal_entry.create'),
    record: z.object({
      id: Uuid,
      clientId: Uuid,
      eventDate: IsoDate,
      text: WrittenText(20_000),
      lifeArea: LifeArea.nullable(),
      assignmentId: Uuid.nullable(),
      correctsId: Uuid.nullable(),
    }).strict(),
  }).strict(),
  z.object({
    ...MutationBase,
    type: z.literal('journal_entry.mark_erroneous'),
    record: z.object({ id: Uuid, reason: WrittenText(2_000) }).strict(),
  }).strict(),
  z.object({
    ...MutationBase,
    type: z.literal('day_note.create'),
    record: z.object({ id: Uuid, unitId: Uuid, clientId: Uuid.nullable(), text: WrittenText(4_000) }).strict(),
  }).strict(),
  /** The note was used in a journal entry ("Kopiera till journal", "Sammanfatta"): only summarised_at is set. */
  z.object({
    ...MutationBase,
    type: z.literal('day_note.mark_summarised'),
    record: z.object({ id: Uuid }).strict(),
  }).strict(),
]);
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
