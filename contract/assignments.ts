import { z } from 'zod';
import { LoginRequest } from './auth';
import { CreateId, StaffMember, StaffRole, Uuid } from './domain';
import { Personnummer } from './personnummer';
import { defineSyncKind } from './sync-kind';
import { IsoDate, IsoDateTime, Label, OptionalText, WrittenText } from './values';

/**
 * Assignments (uppdrag) from the municipality's case officer (biståndshandläggare) to the provider
 * (utförare): the case officer sends, changes, cancels (avbeställer) and ends them; the provider
 * confirms (kvitterar), distributes (fördelar), executes (verkställer, with the execution date —
 * verkställighetsdatum), reports back, pauses (avbrott) and resumes, confirms cancellations, ends
 * (avslutar) and registers absence (frånvaro) and presence (närvaro). The server enforces the state
 * machine (server/assignments/state-machine.ts); every action is a history event. See
 * docs/assignments.md.
 */

/**
 * Status, with the Swedish label the inbox shows (ASSIGNMENT_STATUS_LABELS). In FHIR Task terms:
 * new = requested/received, confirmed = accepted, executed = in-progress, paused = on-hold,
 * cancellation_requested → cancelled = cancelled, ended = completed.
 */
export const AssignmentStatus = z.enum([
  /** Ny: sent by the case officer, not yet confirmed. Needs action. */
  'new',
  /** Kvitterad: confirmed by the provider, not yet executed. */
  'confirmed',
  /** Verkställd: services have started on the execution date. */
  'executed',
  /** Pausad: an interruption (avbrott), e.g. a hospital stay, is under way. */
  'paused',
  /** Avbeställd by the case officer, not yet confirmed by the provider. Needs action. */
  'cancellation_requested',
  /** Avbeställd: the cancellation is confirmed. Final. */
  'cancelled',
  /** Avslutad. Final. */
  'ended',
]);
export type AssignmentStatus = z.infer<typeof AssignmentStatus>;

export const ASSIGNMENT_STATUS_LABELS: Record<AssignmentStatus, string> = {
  new: 'Ny',
  confirmed: 'Kvitterad',
  executed: 'Verkställd',
  paused: 'Pausad',
  // Shown as Avbeställd from the moment the case officer cancels; the inbox badge asks for confirmation.
  cancellation_requested: 'Avbeställd',
  cancelled: 'Avbeställd',
  ended: 'Avslutad',
};

/** Statuses that wait for the provider (the inbox badge). */
export const STATUSES_NEEDING_ACTION: readonly AssignmentStatus[] = ['new', 'cancellation_requested'];
/** Final statuses: nothing more can be done. */
export const FINAL_STATUSES: readonly AssignmentStatus[] = ['cancelled', 'ended'];

/** An insats: a granted service, often with granted time. */
export const GrantedService = z.object({
  /** E.g. a KSI or municipal service code. */
  code: Label(40).optional(),
  name: Label(200),
  grantedHours: z.number().positive().max(744),
  per: z.enum(['week', 'month']),
});
export type GrantedService = z.infer<typeof GrantedService>;

export const Decision = z.object({
  /** The decision's reference (diarienummer / beslutsnummer). */
  reference: Label(60),
  /** The day of the decision. */
  date: IsoDate,
});
export type Decision = z.infer<typeof Decision>;

/** An interruption (avbrott): open while `to` is null. */
export const Pause = z.object({ from: IsoDate, to: IsoDate.nullable(), reason: OptionalText(500) });
export type Pause = z.infer<typeof Pause>;

/** Absence (frånvaro, special housing) or presence (närvaro, short-term stay), inclusive days. */
export const Registration = z.object({ kind: z.enum(['absence', 'presence']), from: IsoDate, to: IsoDate });
export type Registration = z.infer<typeof Registration>;

export const Cancellation = z.object({
  requestedAt: IsoDateTime,
  reason: OptionalText(1_000),
  /** When the provider confirmed it; null: it waits for confirmation. */
  confirmedAt: IsoDateTime.nullable(),
});
export type Cancellation = z.infer<typeof Cancellation>;

export const DistributedTo = z.object({ unitId: Uuid, staffIds: z.array(Uuid).max(50) });
export type DistributedTo = z.infer<typeof DistributedTo>;

/**
 * The kind of service (tjänsteform) an assignment is for; a unit provides one or several. A
 * distribution goes only to a unit that provides the assignment's kind; absence (frånvaro) is
 * registered for special housing, presence (närvaro) for short-term stays, neither for the others.
 */
export const ServiceKind = z.enum(['hemtjanst', 'sarskilt_boende', 'korttidsvistelse', 'daglig_verksamhet']);
export type ServiceKind = z.infer<typeof ServiceKind>;
export const SERVICE_KIND_LABELS: Record<ServiceKind, string> = {
  hemtjanst: 'Hemtjänst',
  sarskilt_boende: 'Särskilt boende',
  korttidsvistelse: 'Korttidsvistelse',
  daglig_verksamhet: 'Daglig verksamhet',
};
/** The one registration a kind takes (absence: special housing; presence: short-term stay). */
export const REGISTRATION_OF_KIND: Partial<Record<ServiceKind, 'register_absence' | 'register_presence'>> = {
  sarskilt_boende: 'register_absence',
  korttidsvistelse: 'register_presence',
};

/** A person an assignment is distributed to, with name and title as the staff row has them now. */
export const DistributedStaff = z.object({ staffId: Uuid, name: z.string(), title: z.string() });

/**
 * The distribution as read: the ids with the unit's and the people's names (resolved by the server
 * when the assignment is read). The names are absent in copies a workstation stored before
 * migration 0024; the next change of the assignment brings them.
 */
export const Distribution = DistributedTo.extend({ unitName: z.string().optional(), staff: z.array(DistributedStaff).optional() });
export type Distribution = z.infer<typeof Distribution>;

/** Who did something: stamped by the server from the session's staff row. */
export const HistoryActor = z.object({
  staffId: Uuid,
  hsaId: z.string(),
  name: z.string(),
  title: z.string(),
  role: StaffRole,
});
export type HistoryActor = z.infer<typeof HistoryActor>;

// ---------------------------------------------------------------------------------------------
// Actions

/** The provider's actions: POST /api/v1/assignments/:id/actions. */
const providerAction = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({
    type: z.literal(type),
    /** Optional id chosen by the caller: the same requestId again is answered without applying twice. */
    requestId: Uuid.optional(),
    ...shape,
  }).strict();

export const ProviderAction = z.discriminatedUnion('type', [
  /** Kvittera. */
  providerAction('confirm', {}),
  /** Fördela to a unit and optionally to named staff of it. */
  providerAction('distribute', { unitId: Uuid, staffIds: z.array(Uuid).max(50).default([]) }),
  /** Verkställ: the day services started (again to correct it; every change is kept in the history). */
  providerAction('execute', { executionDate: IsoDate }),
  /** Återrapportera to the case officer. */
  providerAction('report', { message: WrittenText(2_000) }),
  /** Avbrott (e.g. sjukhusvistelse) from a day. */
  providerAction('pause', { from: IsoDate, reason: WrittenText(500) }),
  /** The interruption ended: services resumed on `to`. */
  providerAction('resume', { to: IsoDate }),
  /** Bekräfta avbeställning. */
  providerAction('confirm_cancellation', {}),
  /** "Jag har sett ändringen": the case officer's change is seen (clears `changePending`). */
  providerAction('confirm_change', {}),
  /** Avsluta, with the reason the case officer reads; not in the future (an end is not scheduled). */
  providerAction('end', { endDate: IsoDate, reason: WrittenText(500) }),
  /** Frånvaro (särskilt boende). */
  providerAction('register_absence', { from: IsoDate, to: IsoDate }),
  /** Närvaro (korttidsvistelse). */
  providerAction('register_presence', { from: IsoDate, to: IsoDate }),
]);
export type ProviderAction = z.infer<typeof ProviderAction>;
export type ProviderActionType = ProviderAction['type'];
export const PROVIDER_ACTION_TYPES = ProviderAction.options.map((o) => o.shape.type.value) as readonly ProviderActionType[];

/** Which client: by personnummer (any of the usual forms) or by the server's client id. */
export const ClientRef = z.union([
  z.object({ personnummer: Personnummer }).strict(),
  z.object({ clientId: Uuid }).strict(),
]);

/** The case officer sends a new assignment: POST /api/v1/officer/assignments. */
export const SendAssignment = z
  .object({
    ...CreateId,
    client: ClientRef,
    /** The provider unit; default the client's unit. */
    unitId: Uuid.optional(),
    decision: Decision,
    services: z.array(GrantedService).min(1).max(20),
    /** The kind of service; default the unit's main kind. The unit must provide it. */
    serviceKind: ServiceKind.optional(),
    startDate: IsoDate,
    endDate: IsoDate.nullable().optional(),
    freeText: OptionalText(4_000).default(''),
  })
  .strict();
export type SendAssignment = z.infer<typeof SendAssignment>;

/** The case officer's actions on a sent assignment: POST /api/v1/officer/assignments/:id/actions. */
export const OfficerAction = z.discriminatedUnion('type', [
  /** Ändra: only the fields given change. */
  z.object({
    type: z.literal('change'),
    decision: Decision.optional(),
    services: z.array(GrantedService).min(1).max(20).optional(),
    startDate: IsoDate.optional(),
    endDate: IsoDate.nullable().optional(),
    freeText: OptionalText(4_000).optional(),
  }).strict(),
  /** Avbeställ: the provider must confirm it. */
  z.object({ type: z.literal('cancel'), reason: WrittenText(1_000) }).strict(),
  /** Avsluta (the decision ends): not in the future; a later end date is set with `change`. */
  z.object({ type: z.literal('end'), endDate: IsoDate, reason: OptionalText(1_000).optional() }).strict(),
]);
export type OfficerAction = z.infer<typeof OfficerAction>;

/** Every kind of history event. */
export const HistoryAction = z.enum([
  'send',
  'change',
  'cancel',
  'end',
  'confirm',
  'distribute',
  'execute',
  'report',
  'pause',
  'resume',
  'confirm_cancellation',
  'register_absence',
  'register_presence',
  'confirm_change',
]);
export type HistoryAction = z.infer<typeof HistoryAction>;

export const HISTORY_ACTION_LABELS: Record<HistoryAction, string> = {
  send: 'Uppdraget skickat',
  change: 'Uppdraget ändrat',
  cancel: 'Uppdraget avbeställt',
  end: 'Uppdraget avslutat',
  confirm: 'Uppdraget kvitterat',
  distribute: 'Uppdraget fördelat',
  execute: 'Uppdraget verkställt',
  report: 'Återrapport till handläggaren',
  pause: 'Avbrott rapporterat',
  resume: 'Uppdraget återupptaget',
  confirm_cancellation: 'Avbeställningen bekräftad',
  register_absence: 'Frånvaro registrerad',
  register_presence: 'Närvaro registrerad',
  confirm_change: 'Ändringen kvitterad',
};

/** Non-personal structured detail of an event: dates, ids, reasons, the previous value of what changed. */
export const HistoryDetails = z.record(z.string(), z.unknown());

export const HistoryEvent = z.object({
  id: Uuid,
  at: IsoDateTime,
  actor: HistoryActor,
  action: HistoryAction,
  details: HistoryDetails,
});
export type HistoryEvent = z.infer<typeof HistoryEvent>;

// ---------------------------------------------------------------------------------------------
// The assignment

export const AssignmentClient = z.object({
  id: Uuid,
  personnummer: z.string().regex(/^\d{12}$/),
  givenName: z.string(),
  familyName: z.string(),
});

/** An assignment as a list shows it: everything but the history. */
export const AssignmentSummary = z.object({
  id: Uuid,
  clientId: Uuid,
  client: AssignmentClient,
  /** The provider unit whose inbox holds it (moves when it is distributed to another unit). */
  unitId: Uuid,
  unitName: z.string(),
  decision: Decision,
  services: z.array(GrantedService),
  /** Tjänsteform: decides where it may be distributed and whether absence or presence is registered. */
  serviceKind: ServiceKind,
  startDate: IsoDate,
  endDate: IsoDate.nullable(),
  freeText: z.string(),
  status: AssignmentStatus,
  /** Waits for the provider: new, a cancellation to confirm, or a change by the case officer not yet seen (`changePending`). */
  needsAction: z.boolean(),
  /**
   * The case officer changed it (services, dates, decision, text) and no one at the provider has
   * confirmed seeing the change yet (`confirm_change`). Default false: records stored before it existed.
   */
  changePending: z.boolean().default(false),
  confirmedAt: IsoDateTime.nullable(),
  distributedTo: Distribution.nullable(),
  /** Verkställighetsdatum; its earlier values are in the history. */
  executionDate: IsoDate.nullable(),
  pauses: z.array(Pause),
  registrations: z.array(Registration),
  cancellation: Cancellation.nullable(),
  /** When the case officer sent it. */
  receivedAt: IsoDateTime,
  updatedAt: IsoDateTime,
  /** Grows by one with every event. */
  version: z.number().int().positive(),
});
export type AssignmentSummary = z.infer<typeof AssignmentSummary>;

export const Assignment = AssignmentSummary.extend({
  /** Oldest first. */
  history: z.array(HistoryEvent),
});
export type Assignment = z.infer<typeof Assignment>;

/**
 * Assignments are synced as they are now, with their full history; workstations change them only
 * online, through the server's actions (ProviderAction), so they queue no mutations.
 */
export const assignmentsKind = defineSyncKind({ name: 'assignment', record: Assignment, mutations: [] });

// ---------------------------------------------------------------------------------------------
// Lists

export const AssignmentSort = z.enum([
  /** Latest change first (default). */
  'updated_desc',
  /** Latest received first. */
  'received_desc',
  /** Earliest start date first. */
  'start_asc',
  /** Latest start date first. */
  'start_desc',
  /** Client family name, given name. */
  'client_asc',
]);
export type AssignmentSort = z.infer<typeof AssignmentSort>;

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).min(1));

/** Query string of the lists (both sides). */
export const AssignmentListQuery = z
  .object({
    unitId: Uuid.optional(),
    /** One status or several, comma-separated. */
    status: csv(AssignmentStatus).optional(),
    /** Start date on or after this day. */
    from: IsoDate.optional(),
    /** Start date on or before this day. */
    to: IsoDate.optional(),
    /** Client name (part of given or family name) or personnummer (digits, with or without the dash; a prefix is enough). */
    client: Label(100).optional(),
    sort: AssignmentSort.default('updated_desc'),
    /** From the previous page's nextCursor. */
    cursor: z.string().min(1).max(500).regex(/^[A-Za-z0-9_-]+$/, 'base64url').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type AssignmentListQuery = z.infer<typeof AssignmentListQuery>;

export const AssignmentListResponse = z.object({
  items: z.array(AssignmentSummary),
  /** Pass as `cursor` for the next page; null: this was the last. */
  nextCursor: z.string().nullable(),
  /** Per status, over the same filters except status and paging (the inbox tabs). */
  counts: z.record(AssignmentStatus, z.number().int().nonnegative()),
});
export type AssignmentListResponse = z.infer<typeof AssignmentListResponse>;

/** The case officer's login answer: like LoginResponse, without units (a case officer holds no unit permission). */
export const OfficerLoginResponse = z.object({
  token: z.string().min(43).max(128),
  expiresAt: z.iso.datetime(),
  user: StaffMember,
});
export type OfficerLoginResponse = z.infer<typeof OfficerLoginResponse>;

/** A person who may be named in a distribution: holds a permission for the unit today. */
export const UnitStaffMember = DistributedStaff;
export type UnitStaffMember = z.infer<typeof UnitStaffMember>;
export const UnitStaffResponse = z.object({ staff: z.array(UnitStaffMember) });
/** The caller's units an assignment may be distributed to: those that provide its kind of service. */
export const DistributionTarget = z.object({ unitId: Uuid, name: z.string() });
export type DistributionTarget = z.infer<typeof DistributionTarget>;
export const DistributionTargetsResponse = z.object({ units: z.array(DistributionTarget) });

/** The provider's side; `:id` is the assignment id (in `staff`, the unit id). */
export const assignmentRoutes = {
  list: { method: 'GET', path: '/api/v1/assignments', query: AssignmentListQuery, response: AssignmentListResponse },
  get: { method: 'GET', path: '/api/v1/assignments/:id', response: Assignment },
  act: { method: 'POST', path: '/api/v1/assignments/:id/actions', body: ProviderAction, response: Assignment },
  /** Staff who may be named when distributing to unit `:id` (a unit of the caller's; otherwise 403). */
  staff: { method: 'GET', path: '/api/v1/assignments/units/:id/staff', response: UnitStaffResponse },
  /** The caller's units that provide the assignment's kind of service (`:id`: the assignment; out of scope: 404). */
  targets: { method: 'GET', path: '/api/v1/assignments/:id/targets', response: DistributionTargetsResponse },
} as const;

/**
 * The case officer's side. Login: POST /api/v1/auth/challenge, then `login` here with the same
 * card-signed token as the workstation's login (only staff with role case_officer).
 */
export const officerRoutes = {
  login: { method: 'POST', path: '/api/v1/officer/auth/login', body: LoginRequest, response: OfficerLoginResponse },
  list: { method: 'GET', path: '/api/v1/officer/assignments', query: AssignmentListQuery, response: AssignmentListResponse },
  get: { method: 'GET', path: '/api/v1/officer/assignments/:id', response: Assignment },
  send: { method: 'POST', path: '/api/v1/officer/assignments', body: SendAssignment, response: Assignment },
  act: { method: 'POST', path: '/api/v1/officer/assignments/:id/actions', body: OfficerAction, response: Assignment },
} as const;

/** Fills in `:id`. */
export const assignmentPath = (path: string, id: string): string => path.replace(':id', encodeURIComponent(id));
