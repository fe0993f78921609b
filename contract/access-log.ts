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
  /**
   * Made once on the workstation when the event happens: the same event sent again (a batch resent
   * after a lost answer, two sends at once) is logged once. Optional for workstations older than it.
   */
  id: Uuid.optional(),
  action: AccessAction,
  clientId: Uuid,
  recordType: AccessRecordType,
  recordId: Uuid.optional(),
  /** When it happened on the workstation (events queued offline are sent later). */
  at: IsoDateTime,
}).strict();
export type AccessEventInput = z.infer<typeof AccessEventInput>;

export const AccessEventsRequest = z.object({ events: z.array(AccessEventInput).min(1).max(100) }).strict();
/** `recorded`: the batch's events now in the log (made by this call or by an earlier send of the same ids). */
export const AccessEventsResponse = z.object({ recorded: z.number().int().nonnegative() });

export const accessLogRoutes = {
  /** All or nothing: every event's client must be in a unit of the user's scope, else 403 FORBIDDEN. */
  events: { method: 'POST', path: '/api/v1/access-log/events', body: AccessEventsRequest, response: AccessEventsResponse },
} as const;

/**
 * What an access-log row touched, in Swedish: the record types the server and the workstations log
 * (kinds' `access` names, the sync, the administration's own reads). The screen, the CSV and the
 * PDF show these, never the internal names (`access_log`, `day_notes`).
 */
export const RECORD_TYPE_LABELS_SV: Record<string, string> = {
  client: 'Brukare',
  journal: 'Journal (hela)',
  journal_entry: 'Journalanteckning',
  day_notes: 'Daganteckningar (flöde)',
  day_note: 'Daganteckning',
  assignment: 'Uppdrag',
  assignment_list: 'Uppdragslista',
  plan: 'Genomförandeplan',
  plan_list: 'Planer att följa upp',
  message: 'Meddelande',
  message_thread: 'Samtal (meddelanden)',
  message_threads: 'Samtal (lista)',
  message_read: 'Läskvitto',
  message_attachment: 'Bilaga till meddelande',
  notice: 'Anslagstavla',
  consents: 'Samtycken (register)',
  consent: 'Samtycke',
  sync: 'Synkronisering',
  security_incident: 'Säkerhetsincident',
  access_log: 'Åtkomstloggen',
  access_log_sample: 'Åtkomstloggen (stickprov)',
  access_log_review: 'Granskning av åtkomstloggen',
  staff: 'Personal',
};

/** The Swedish name of a logged record type; an unknown one is named as such (with its code, for support). */
export const recordTypeSv = (type: string | null): string => (type === null ? '–' : (RECORD_TYPE_LABELS_SV[type] ?? `Annan post (${type})`));
