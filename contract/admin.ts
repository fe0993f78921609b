import { z } from 'zod';
import { call } from './call';
import { CreateId, HsaId, Uuid } from './domain';
import { ExportedFile, LogIntegrity, LogSampleRequest, LogSearch, LogSearchResponse, NewReview, Review, ReviewList } from './log-review';
import { IsoDate, Label } from './values';

/**
 * Administration (docs/administration.md): the IT contact person (IT-kontaktperson, role
 * `it_contact`, "administratör" in the UI) adds people and grants and ends their permissions
 * (behörigheter). Server-enforced; the workstation only shows what the server allows.
 */

/**
 * What a grant gives. `staff`: access to one unit's clients (a unit permission). The others are
 * roles held on one unit or on the whole provider organisation and give no client data by
 * themselves: `superuser` (superanvändare, first-line support), `it_contact` (IT-kontaktperson,
 * the administrator), `manager` (verksamhetsansvarig, follow-up figures).
 */
export const GrantRole = z.enum(['staff', 'superuser', 'it_contact', 'manager']);
export type GrantRole = z.infer<typeof GrantRole>;

export const GRANT_ROLE_LABELS_SV: Record<GrantRole, string> = {
  staff: 'Personal (behörighet till enhet)',
  superuser: 'Superanvändare',
  it_contact: 'IT-kontaktperson (administratör)',
  manager: 'Verksamhetsansvarig',
};

/** `pending_confirmation`: a grant of it_contact waiting for a second administrator (four-eyes). */
export const GrantStatus = z.enum(['pending_confirmation', 'future', 'active', 'ended']);
export type GrantStatus = z.infer<typeof GrantStatus>;

export const Grant = z.object({
  id: Uuid,
  staffId: Uuid,
  role: GrantRole,
  /** null: the whole provider organisation. */
  unitId: Uuid.nullable(),
  unitName: z.string().nullable(),
  validFrom: z.iso.date(),
  /** Inclusive last day; null: until further notice. */
  validTo: z.iso.date().nullable(),
  status: GrantStatus,
  grantedBy: z.string().nullable(),
  /** Who granted it (null: the installation): the workstation offers "Bekräfta" to another administrator only. */
  grantedById: Uuid.nullable(),
  confirmedBy: z.string().nullable(),
  endedAt: z.iso.datetime({ offset: true }).nullable(),
  endedBy: z.string().nullable(),
});
export type Grant = z.infer<typeof Grant>;

export const AdminPerson = z.object({
  id: Uuid,
  hsaId: HsaId,
  givenName: z.string(),
  familyName: z.string(),
  title: z.string(),
  grants: z.array(Grant),
});
export type AdminPerson = z.infer<typeof AdminPerson>;

export const AdminUnit = z.object({ id: Uuid, name: z.string() });

export const PeopleResponse = z.object({
  organisation: z.object({ id: Uuid, name: z.string() }),
  units: z.array(AdminUnit),
  people: z.array(AdminPerson),
});
export type PeopleResponse = z.infer<typeof PeopleResponse>;

const base64 = z.string().min(100).max(16_384).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/**
 * A person is added by HSA-ID and name typed in, or by the authentication certificate read from
 * her card at the administrator's workstation (the server validates it against the trusted SITHS
 * CAs and takes HSA-ID and name from it). Title is always typed.
 */
export const AddPersonRequest = z.union([
  z.strictObject({ ...CreateId, hsaId: HsaId, givenName: Label(100), familyName: Label(100), title: Label(100) }),
  z.strictObject({ ...CreateId, certificate: base64, title: Label(100) }),
]);
export type AddPersonRequest = z.infer<typeof AddPersonRequest>;

export const GrantRequest = z
  .strictObject({
    ...CreateId,
    staffId: Uuid,
    role: GrantRole,
    /** null: the whole organisation (not for `staff`, which is always one unit). */
    unitId: Uuid.nullable(),
    validFrom: IsoDate,
    validTo: IsoDate.nullable().default(null),
  })
  .refine((g) => g.role !== 'staff' || g.unitId !== null, { message: 'Behörighet till brukare ges per enhet.', path: ['unitId'] })
  .refine((g) => g.validTo === null || g.validTo >= g.validFrom, { message: 'Slutdatum får inte ligga före startdatum.', path: ['validTo'] });
export type GrantRequest = z.infer<typeof GrantRequest>;

export const NoBody = z.strictObject({});

/**
 * Avsluta: the first day the grant no longer holds (today: at once; a later day: it runs until the
 * day before). Chosen by the administrator, never defaulted by the workstation (issue 32); the
 * server's default for a caller that sends none (the command line) is today. Never a past day.
 */
export const EndGrant = z.strictObject({ endsOn: IsoDate.optional() });

/** `end_requested`: an administrator asked to end another administrator's role; a second one ends it (four-eyes). */
export const PermissionEventAction = z.enum(['person_added', 'granted', 'confirmed', 'ended', 'bootstrap', 'end_requested']);
export const PermissionEvent = z.object({
  id: z.string(),
  at: z.iso.datetime({ offset: true }),
  action: PermissionEventAction,
  actorName: z.string().nullable(),
  targetStaffId: Uuid,
  targetName: z.string(),
  grantId: Uuid.nullable(),
  role: GrantRole.nullable(),
  unitName: z.string().nullable(),
  validFrom: z.iso.date().nullable(),
  validTo: z.iso.date().nullable(),
});
export type PermissionEvent = z.infer<typeof PermissionEvent>;

export const HistoryQuery = z.strictObject({ staffId: Uuid.optional() });
export const HistoryResponse = z.object({ events: z.array(PermissionEvent) });

/** The caller's own roles in force now: what the workstation may offer (the server decides again on every call). */
export const MyRoles = z.object({
  roles: z.array(z.object({ role: GrantRole.exclude(['staff']), unitId: Uuid.nullable() })),
});
export type MyRoles = z.infer<typeof MyRoles>;

export const adminRoutes = {
  myRoles: { method: 'GET', path: '/api/v1/me/roles', response: MyRoles },
  people: { method: 'GET', path: '/api/v1/admin/people', response: PeopleResponse },
  addPerson: { method: 'POST', path: '/api/v1/admin/people', body: AddPersonRequest, response: AdminPerson },
  grant: { method: 'POST', path: '/api/v1/admin/grants', body: GrantRequest, response: Grant },
  confirm: { method: 'POST', path: '/api/v1/admin/grants/:id/confirm', body: NoBody, response: Grant },
  end: { method: 'POST', path: '/api/v1/admin/grants/:id/end', body: EndGrant, response: Grant },
  history: { method: 'GET', path: '/api/v1/admin/history', response: HistoryResponse },
} as const;

/**
 * The `admin.*` methods between renderer and main (contract/api.ts): each is the server route of
 * the same name, called with the session's token; `addPersonFromCard` first reads the
 * authentication certificate of the card in `reader` (no PIN: the certificate is public).
 */
export const adminApi = {
  roles: call(z.strictObject({}), MyRoles),
  people: call(z.strictObject({}), PeopleResponse),
  addPerson: call(AddPersonRequest, AdminPerson),
  addPersonFromCard: call(z.strictObject({ ...CreateId, reader: z.string().min(1).max(200), title: Label(100) }), AdminPerson),
  grant: call(GrantRequest, Grant),
  confirm: call(z.strictObject({ id: Uuid }), Grant),
  end: call(z.strictObject({ id: Uuid, endsOn: IsoDate }), Grant),
  history: call(HistoryQuery, HistoryResponse),
  logSearch: call(LogSearch, LogSearchResponse),
  logCsv: call(LogSearch, ExportedFile),
  /** The search's rows (up to 500) as a PDF in the exports folder. */
  logPdf: call(LogSearch, ExportedFile),
  /** A documented review as a PDF in the exports folder, to print. */
  reviewPdf: call(z.strictObject({ id: Uuid }), ExportedFile),
  logSample: call(LogSampleRequest, LogSearchResponse),
  createReview: call(NewReview, Review),
  reviews: call(z.strictObject({}), ReviewList),
  review: call(z.strictObject({ id: Uuid }), Review),
  verify: call(z.strictObject({}), LogIntegrity),
};
