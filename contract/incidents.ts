import { z } from 'zod';
import { call } from './call';
import { CreateId, Uuid } from './domain';
import { Personnummer } from './personnummer';
import { OptionalText, WrittenText } from './values';

/**
 * Security incidents (säkerhetsincidenter, docs/incidents.md). Anyone logged in reports one; the
 * IT contact person (administrator) must report it to the municipality's support within 48 hours
 * of its discovery, records how she did, and closes it. The server computes the deadline and
 * decides who sees what: staff their own reports, the administrator all of the organisation.
 * An online feature: nothing of it is kept on the workstation.
 */

/** The municipalities' requirement: reported to their support within this many hours of discovery. */
export const INCIDENT_DEADLINE_HOURS = 48;

/**
 * A Swedish wall-clock time as a `datetime-local` input gives it, "YYYY-MM-DDTHH:MM", meant in
 * Europe/Stockholm (contract/dates.ts fromSwedishLocalDateTime), year 1900–2199.
 */
export const SwedishLocalDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Ange datum och klockslag (ÅÅÅÅ-MM-DD TT:MM).')
  .refine((s) => {
    const [y, mo, d, h, mi] = s.split(/[-T:]/).map(Number) as [number, number, number, number, number];
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi));
    return y >= 1900 && y <= 2199 && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60;
  }, 'Datum och klockslag finns inte (år 1900–2199).');

export const IncidentChannel = z.enum(['phone', 'email', 'portal', 'other']);
export type IncidentChannel = z.infer<typeof IncidentChannel>;
export const INCIDENT_CHANNEL_SV: Record<IncidentChannel, string> = {
  phone: 'Telefon till kommunens support',
  email: 'E-post till kommunens support',
  portal: 'Kommunens supportportal',
  other: 'Annat sätt',
};

export const IncidentStatus = z.enum(['open', 'reported', 'closed']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;
export const INCIDENT_STATUS_SV: Record<IncidentStatus, string> = { open: 'Ej rapporterad till kommunen', reported: 'Rapporterad till kommunen', closed: 'Stängd' };

export const NewIncident = z.strictObject({
  ...CreateId,
  /** What happened, in the reporter's words. */
  what: WrittenText(4_000),
  discoveredAt: SwedishLocalDateTime,
  /** Systems affected (free text), may be empty. */
  systems: OptionalText(500).default(''),
  /** Clients affected, by personnummer: clients of the reporter's units (an administrator: of the organisation). */
  personnummer: z.array(Personnummer).max(50).default([]),
});
export type NewIncident = z.input<typeof NewIncident>;

export const MunicipalityReport = z.strictObject({
  reportedAt: SwedishLocalDateTime,
  channel: IncidentChannel,
  /** The municipality's case number, who took the call, or what else identifies the report. */
  reference: OptionalText(500).default(''),
});
export type MunicipalityReport = z.input<typeof MunicipalityReport>;

export const CloseIncident = z.strictObject({ comment: OptionalText(2_000).default('') });

const At = z.iso.datetime({ offset: true });

export const Incident = z.object({
  id: Uuid,
  what: z.string(),
  systems: z.string(),
  discoveredAt: At,
  reportedAt: At,
  reportedBy: z.string(),
  /** discoveredAt + 48 h: when the municipality must have been told. */
  deadlineAt: At,
  status: IncidentStatus,
  /** Not yet reported to the municipality, and the deadline has passed (at the server's clock). */
  overdue: z.boolean(),
  municipality: z.object({ at: At, channel: IncidentChannel, reference: z.string(), by: z.string(), late: z.boolean() }).nullable(),
  closed: z.object({ at: At, by: z.string(), comment: z.string() }).nullable(),
  clientCount: z.number().int().nonnegative(),
  /** The affected clients: only in the answer about one incident (a read in the access log), null in lists. */
  clients: z.array(z.object({ id: Uuid, name: z.string(), personnummer: z.string() })).nullable(),
});
export type Incident = z.infer<typeof Incident>;

export const IncidentList = z.object({
  /** own: the caller's reports; organisation: every report of her organisation (the administrator). */
  scope: z.enum(['own', 'organisation']),
  /** The server's clock when it answered: the countdown starts from it. */
  now: At,
  incidents: z.array(Incident),
});
export type IncidentList = z.infer<typeof IncidentList>;

export const incidentRoutes = {
  report: { method: 'POST', path: '/api/v1/incidents', body: NewIncident, response: Incident },
  list: { method: 'GET', path: '/api/v1/incidents', response: IncidentList },
  get: { method: 'GET', path: '/api/v1/incidents/:id', response: Incident },
  municipality: { method: 'POST', path: '/api/v1/incidents/:id/municipality', body: MunicipalityReport, response: Incident },
  close: { method: 'POST', path: '/api/v1/incidents/:id/close', body: CloseIncident, response: Incident },
} as const;

/** The `incidents.*` methods between renderer and main: each is the server route of the same name (online only). */
export const incidentsApi = {
  report: call(NewIncident, Incident),
  list: call(z.strictObject({}), IncidentList),
  get: call(z.strictObject({ id: Uuid }), Incident),
  municipality: call(MunicipalityReport.extend({ id: Uuid }), Incident),
  close: call(CloseIncident.extend({ id: Uuid }), Incident),
};
