import { z } from 'zod';

/** HSA-ID as found in a SITHS certificate's subject serialNumber, e.g. SE2321000131-P000000012345. */
/** An HSA-id: SE, the organisation's ten digits, a hyphen and the person's part. */
export const HSA_ID_PATTERN = /^SE\d{10}-[A-Za-z0-9]{1,31}$/;
export const HsaId = z.string().regex(HSA_ID_PATTERN, 'Ogiltigt HSA-id');
export type HsaId = z.infer<typeof HsaId>;

export const Uuid = z.string().uuid();

/**
 * A create's client-made id (issue 32, docs/sync.md "Every create once"): made once per form by
 * the renderer, kept by the workstation and the server; the same id again answers the record made
 * the first time (a double-click, a retry after a lost answer, two sends at once), never a second.
 * Spread into a create's input: `{ ...CreateId, … }`.
 */
export const CreateId = { requestId: Uuid.optional() };

/** A provider organisation (utförare) working for a municipality. */
export const Organisation = z.object({
  id: Uuid,
  name: z.string(),
  municipality: z.string(),
});
export type Organisation = z.infer<typeof Organisation>;

/** A unit (enhet/grupp) of the provider; permissions are granted per unit. */
export const Unit = z.object({
  id: Uuid,
  organisationId: Uuid,
  name: z.string(),
  /** hemtjänst or daglig verksamhet */
  serviceType: z.enum(['hemtjanst', 'daglig_verksamhet']),
  clientCount: z.number().int().nonnegative(),
});
export type Unit = z.infer<typeof Unit>;

export const StaffRole = z.enum(['staff', 'superuser', 'it_contact', 'manager', 'case_officer']);
export type StaffRole = z.infer<typeof StaffRole>;

export const StaffMember = z.object({
  id: Uuid,
  hsaId: HsaId,
  givenName: z.string(),
  familyName: z.string(),
  /** Titel, shown with every journal entry. */
  title: z.string(),
  role: StaffRole,
});
export type StaffMember = z.infer<typeof StaffMember>;
