import { z } from 'zod';
import { call } from './call';
import { CreateId, Uuid } from './domain';
import { MAX_MESSAGE_TEXT } from './messages';
import { ErrorCode } from './result';
import { IsoDateTime, Label, WrittenText } from './values';

/**
 * First-line support (första linjens support, docs/administration.md): every workstation reports
 * the state of its own machinery to the server — never personal data, never what anyone wrote —
 * and the superuser (superanvändare) or administrator sees her colleagues' workstations, why
 * something failed (error codes, explained in Swedish by the renderer), and sends a colleague a
 * support message (a secure message thread between the two, without a client).
 */

const Count = z.number().int().min(0).max(10_000_000);
const SyncOutcome = z.enum(['ok', 'error', 'none']);
const StoreState = z.enum(['closed', 'opening', 'open', 'unreadable', 'resyncing', 'failed']);
/** The same harmless label as the X-Workstation header (server/auth/routes.ts workstationOf). */
const WorkstationName = z.string().regex(/^[\w .:-]{1,100}$/, 'Arbetsstationens namn får bara innehålla bokstäver, siffror, mellanslag och . : - _');
const AppVersion = z.string().regex(/^[0-9A-Za-z.+-]{1,50}$/, 'Ogiltigt versionsnummer');

/**
 * What a workstation reports about itself (telemetri), sent by main/support/ while a user is
 * logged in: periodically and after every sync run. The logged-in user is the session's; the
 * report names nobody and carries no text, no client, no certificate.
 */
export const SupportReport = z
  .strictObject({
    /** A random id the workstation keeps in its data folder (main/support/workstation-id.ts). */
    workstationId: Uuid,
    workstationName: WorkstationName.nullable(),
    appVersion: AppVersion,
    host: z.enum(['electron', 'browser']),
    /** The last sync run: when it last went through, and how the last run ended (`none`: none yet). */
    sync: z.strictObject({ lastOkAt: IsoDateTime.nullable(), outcome: SyncOutcome, code: ErrorCode.nullable() }),
    /** Writes not yet on the server: how many, and when the oldest was made (never what they are). null: the store is not open. */
    queue: z.strictObject({ count: Count, oldestAt: IsoDateTime.nullable() }).nullable(),
    /** Writes the server refused for good and the user has not dismissed: how many per error code. */
    refusals: z.strictObject({ count: Count, codes: z.array(z.strictObject({ code: ErrorCode, count: Count })).max(40) }).nullable(),
    /** The PC/SC service, how many readers, whether a card is in one. No certificate data. */
    card: z.strictObject({ service: z.enum(['ok', 'unavailable']), readers: z.number().int().min(0).max(64), cardPresent: z.boolean() }),
    /** The current session's login (the card and PIN); the time since is the server's arithmetic. */
    loggedInAt: IsoDateTime,
    /** The encrypted local store: its state and its file's size in bytes (null: no file yet). */
    store: z.strictObject({ state: StoreState, bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable() }),
  })
  .refine((r) => (r.sync.outcome === 'error') === (r.sync.code !== null), { message: 'Ett misslyckat synkförsök ska ha en felkod, ett lyckat ingen.', path: ['sync', 'code'] });
export type SupportReport = z.infer<typeof SupportReport>;

/** A colleague's workstation as the support view shows it: the latest report, and when it came. */
export const SupportWorkstation = z.object({
  workstationId: Uuid,
  workstationName: z.string().nullable(),
  receivedAt: IsoDateTime,
  appVersion: z.string(),
  host: z.enum(['electron', 'browser']),
  sync: z.object({ lastOkAt: IsoDateTime.nullable(), outcome: SyncOutcome, code: ErrorCode.nullable() }),
  queue: z.object({ count: Count, oldestAt: IsoDateTime.nullable() }).nullable(),
  refusals: z.object({ count: Count, codes: z.array(z.object({ code: ErrorCode, count: Count })) }).nullable(),
  card: z.object({ service: z.enum(['ok', 'unavailable']), readers: z.number().int().min(0), cardPresent: z.boolean() }),
  loggedInAt: IsoDateTime,
  store: z.object({ state: StoreState, bytes: z.number().int().min(0).nullable() }),
});
export type SupportWorkstation = z.infer<typeof SupportWorkstation>;

export const SupportColleague = z.object({
  staffId: Uuid,
  name: z.string(),
  title: z.string(),
  /** The units she holds a permission for today (names only: which clients, the view never says). */
  units: z.array(z.object({ id: Uuid, name: z.string() })),
  /** Her workstations' latest reports, newest first. */
  workstations: z.array(SupportWorkstation),
});
export type SupportColleague = z.infer<typeof SupportColleague>;

export const SupportOverview = z.object({ serverTime: IsoDateTime, colleagues: z.array(SupportColleague) });
export type SupportOverview = z.infer<typeof SupportOverview>;

export const SupportMessageBody = z.strictObject({ ...CreateId, subject: Label(200), text: WrittenText(MAX_MESSAGE_TEXT) });
export type SupportMessageBody = z.infer<typeof SupportMessageBody>;
export const SupportMessageSent = z.object({ threadId: Uuid, unitId: Uuid });

export const supportRoutes = {
  /** Any session: the caller's own workstation reports (upserted per workstation and person). */
  report: { method: 'POST', path: '/api/v1/support/reports', body: SupportReport, response: z.object({ receivedAt: IsoDateTime }) },
  /** Superuser or administrator: the colleagues in her reach and their workstations. */
  colleagues: { method: 'GET', path: '/api/v1/support/colleagues', response: SupportOverview },
  /** Superuser or administrator: a support message to one colleague (a person-to-person thread without a client). */
  message: { method: 'POST', path: '/api/v1/support/colleagues/:id/messages', body: SupportMessageBody, response: SupportMessageSent },
} as const;

/** The `support.*` methods between renderer and main: the server routes above, with the session's token. */
export const supportApi = {
  colleagues: call(z.strictObject({}), SupportOverview),
  message: call(SupportMessageBody.extend({ staffId: Uuid }), SupportMessageSent),
};
