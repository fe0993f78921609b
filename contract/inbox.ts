import { z } from 'zod';
import { Assignment, AssignmentSort, AssignmentStatus, ProviderAction } from './assignments';
import { IsoDate } from './values';

/**
 * The workstation's assignment inbox (renderer ↔ main): lists from the encrypted local store
 * (synced, readable offline), one assignment from the store and — online — from the server (the
 * access-log read), actions through the server (one left without an answer is asked again with its
 * requestId). See docs/assignments.md, "The workstation side".
 */

/** One row of the inbox list: what the list shows, nothing more (fast to move and validate at 10k). */
export const InboxItem = z.object({
  id: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  /** 12 digits. */
  personnummer: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  status: AssignmentStatus,
  needsAction: z.boolean(),
  /** A change by the case officer waits to be confirmed as seen (the row says "Ändrat av handläggaren"). */
  changePending: z.boolean().default(false),
  decisionReference: z.string(),
  /** "Hemtjänst 20 h/mån, …" */
  services: z.string(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  executionDate: z.string().nullable(),
  receivedAt: z.string(),
  updatedAt: z.string(),
});
export type InboxItem = z.infer<typeof InboxItem>;

export const InboxQuery = z
  .object({
    unitId: z.string().uuid().optional(),
    /** One client's assignments (e.g. to link a journal entry to one). */
    clientId: z.string().uuid().optional(),
    /** One or several statuses; absent: all. */
    status: z.array(AssignmentStatus).min(1).max(7).optional(),
    /** Only what waits for the provider ("Att hantera", the menu badge's rule: a status needing action or a change not yet confirmed). */
    needsAction: z.boolean().optional(),
    /** Start date on or after this day. */
    from: IsoDate.optional(),
    /** Start date on or before this day. */
    to: IsoDate.optional(),
    /** Part of the client's given or family name, or personnummer digits (dash optional). */
    client: z.string().trim().max(100).optional(),
    sort: AssignmentSort.default('updated_desc'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type InboxQuery = z.input<typeof InboxQuery>;
export type InboxQueryParsed = z.output<typeof InboxQuery>;

export const InboxPage = z.object({
  items: z.array(InboxItem),
  /** Rows matching every filter (for the virtualised list's length). */
  total: z.number().int().nonnegative(),
  /** Per status, over the same filters except status (the filter buttons). */
  counts: z.record(AssignmentStatus, z.number().int().nonnegative()),
  /** Assignments in the user's units waiting for the provider (new, or a cancellation to confirm), whatever the filters: the menu badge. */
  needsAction: z.number().int().nonnegative(),
  /** Of the rows matching the filters except status, those waiting for the provider ("Att hantera"'s count). */
  toHandle: z.number().int().nonnegative(),
});
export type InboxPage = z.infer<typeof InboxPage>;

export const InboxDetail = z.object({
  assignment: Assignment,
  /** The server could not be reached: this is the copy in the local store (it may be behind). */
  offline: z.boolean(),
});
export type InboxDetail = z.infer<typeof InboxDetail>;

/**
 * An action, with or without its requestId: main adds one when it is missing. To find out what
 * became of an action whose answer never came, send it again with the requestId `unknown` gave:
 * the server applies a requestId at most once and answers the assignment as it now is.
 */
export const InboxActInput = z.object({ id: z.string().uuid(), action: ProviderAction }).strict();

/**
 * What became of an action (docs/assignments.md, "An action's outcome"):
 * - `applied`: the server answered; the assignment as it now is.
 * - `unknown`: no answer (the server was unreachable, or answered too late). It may or may not have
 *   been applied; ask again with the same `requestId` — never report it as failed.
 * A refusal (409 CONFLICT, 400 VALIDATION, 404) is an error with the server's Swedish message.
 */
export const InboxActResult = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('applied'), assignment: Assignment, offline: z.literal(false) }),
  z.object({ outcome: z.literal('unknown'), requestId: z.string().uuid() }),
]);
export type InboxActResult = z.infer<typeof InboxActResult>;
