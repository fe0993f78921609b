import { z } from 'zod';
import { Uuid } from './domain';
import { SYNC_KINDS } from './sync';
import { IsoDateTime } from './values';

/**
 * The access-log events the workstation reports (docs/access-log.md). Changes are logged by the
 * push itself; reads, copies and exports happen on the workstation, which reports them here.
 */

/** What the workstation reports: reads (opening), copies to the clipboard, exports. */
export const AccessAction = z.enum(['read', 'copy', 'export']);
export type AccessAction = z.infer<typeof AccessAction>;

type AccessName = NonNullable<(typeof SYNC_KINDS)[number]['access']>[number];
/**
 * The record types of those events, each kind's `access` (contract/sync-kind.ts): `journal` /
 * `day_notes` a client's whole journal or notes feed, `journal_entry` / `day_note` one record, …
 */
export const AccessRecordType = z.enum(SYNC_KINDS.flatMap((k) => k.access ?? []) as unknown as [AccessName, ...AccessName[]]);
export type AccessRecordType = z.infer<typeof AccessRecordType>;

export const AccessEventInput = z.object({
  action: AccessAction,
  clientId: Uuid,
  recordType: AccessRecordType,
  recordId: Uuid.optional(),
  /** When it happened on the workstation (events queued offline are sent later). */
  at: IsoDateTime,
}).strict();
export type AccessEventInput = z.infer<typeof AccessEventInput>;

export const AccessEventsRequest = z.object({ events: z.array(AccessEventInput).min(1).max(100) }).strict();
export const AccessEventsResponse = z.object({ recorded: z.number().int().nonnegative() });

export const accessLogRoutes = {
  /** All or nothing: every event's client must be in a unit of the user's scope, else 403 FORBIDDEN. */
  events: { method: 'POST', path: '/api/v1/access-log/events', body: AccessEventsRequest, response: AccessEventsResponse },
} as const;
