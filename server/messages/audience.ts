import { swedishDate } from '#contract';
import type { Queryable } from '../db/types';

/**
 * Who may take part in a thread (docs/messages.md, "Secrecy"; issue 25): the rule every other
 * client read obeys.
 * - A thread about a client: only people who may see that client — a permission for the client's
 *   unit today, or the case officer of one of the client's assignments.
 * - A thread about no client: only people of the unit's organisation, or the case officers the
 *   organisation works with (who sent an assignment to one of its units).
 * The API (store.ts startThread) and the push (sync.ts decideThread) load the candidates with
 * `loadCandidates` and decide with `mayJoin`; reads obey the same rule through `clientVisibleSql`.
 */

export interface Candidate {
  staffId: string;
  name: string;
  title: string;
  /** null: the municipality's (a case officer). */
  organisationId: string | null;
  /** Permissions on units of her own organisation, with their periods (Swedish calendar days, inclusive). */
  permissions: { unitId: string; validFrom: string; validTo: string | null }[];
  /** Of the clients asked about: those she sent an assignment for. */
  officerClients: string[];
  /** Organisations she sent an assignment to (one of their units). */
  officerOrganisations: string[];
}

/** Where the thread lives: its unit's organisation, and its client (with the client's unit) if any. */
export interface ThreadPlace {
  organisationId: string;
  client: { id: string; unitId: string } | null;
}

export const AUDIENCE_MESSAGES = {
  clientOutside: (name: string) =>
    `${name} får inte se brukaren och kan inte vara med i samtalet: bara den som har behörighet till brukarens enhet i dag, eller handläggaren för ett av brukarens uppdrag, kan det.`,
  organisationOutside: (name: string) => `${name} hör inte till organisationen eller till de handläggare den arbetar med och kan inte vara med i samtalet.`,
} as const;

const permittedOn = (c: Candidate, unitId: string, today: string) =>
  c.permissions.some((p) => p.unitId === unitId && p.validFrom <= today && (p.validTo === null || p.validTo >= today));

/** May `c` take part in a thread at `place` on `today` (YYYY-MM-DD, Swedish)? */
export function mayJoin(c: Candidate, place: ThreadPlace, today: string): boolean {
  if (place.client) return permittedOn(c, place.client.unitId, today) || c.officerClients.includes(place.client.id);
  return c.organisationId === place.organisationId || c.officerOrganisations.includes(place.organisationId);
}

/** The refusal for `c` at `place`, in Swedish; null when she may take part. */
export function refusalFor(c: Candidate, place: ThreadPlace, now: Date): string | null {
  if (mayJoin(c, place, swedishDate(now))) return null;
  return place.client ? AUDIENCE_MESSAGES.clientOutside(c.name) : AUDIENCE_MESSAGES.organisationOutside(c.name);
}

/** The candidates among `staffIds` (absent: no such person), their officer links limited to `clientIds`. */
export async function loadCandidates(q: Queryable, staffIds: readonly string[], clientIds: readonly string[]): Promise<Map<string, Candidate>> {
  if (staffIds.length === 0) return new Map();
  const { rows } = await q.query<{
    id: string;
    name: string;
    title: string;
    organisation_id: string | null;
    permissions: { unitId: string; validFrom: string; validTo: string | null }[] | string;
    officer_clients: string[];
    officer_organisations: string[];
  }>(
    `SELECT s.id, s.given_name || ' ' || s.family_name AS name, s.title, s.organisation_id,
            coalesce((SELECT json_agg(json_build_object('unitId', p.unit_id, 'validFrom', p.valid_from::text, 'validTo', p.valid_to::text))
                        FROM permissions p JOIN units u ON u.id = p.unit_id AND u.organisation_id = s.organisation_id
                       WHERE p.staff_id = s.id), '[]'::json) AS permissions,
            ARRAY(SELECT DISTINCT a.client_id FROM assignments a WHERE a.sent_by_staff_id = s.id AND a.client_id = ANY($2::uuid[])) AS officer_clients,
            ARRAY(SELECT DISTINCT u.organisation_id FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.sent_by_staff_id = s.id) AS officer_organisations
       FROM staff s WHERE s.id = ANY($1::uuid[])`,
    [staffIds, clientIds],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        staffId: r.id,
        name: r.name,
        title: r.title,
        organisationId: r.organisation_id,
        permissions: typeof r.permissions === 'string' ? JSON.parse(r.permissions) : r.permissions,
        officerClients: r.officer_clients,
        officerOrganisations: r.officer_organisations,
      },
    ]),
  );
}

/** The organisation of each unit in `unitIds` and the unit of each client in `clientIds`. */
export async function loadPlaces(q: Queryable, unitIds: readonly string[], clientIds: readonly string[]): Promise<{ unitOrganisations: Map<string, string>; clientUnits: Map<string, string> }> {
  const { rows: units } = await q.query<{ id: string; organisation_id: string }>('SELECT id, organisation_id FROM units WHERE id = ANY($1::uuid[])', [unitIds]);
  const { rows: clients } = await q.query<{ id: string; unit_id: string }>('SELECT id, unit_id FROM clients WHERE id = ANY($1::uuid[])', [clientIds]);
  return { unitOrganisations: new Map(units.map((u) => [u.id, u.organisation_id])), clientUnits: new Map(clients.map((c) => [c.id, c.unit_id])) };
}

/**
 * The read side of the rule in SQL: may staff member `staff` (with `units` the unit ids of her
 * permissions today) see the client of thread `th`? True for a thread about no client.
 */
export const clientVisibleSql = (th: string, staff: string, units: string) =>
  `(${th}.client_id IS NULL
    OR EXISTS (SELECT 1 FROM clients vc WHERE vc.id = ${th}.client_id AND vc.unit_id = ANY(${units}))
    OR EXISTS (SELECT 1 FROM assignments va WHERE va.client_id = ${th}.client_id AND va.sent_by_staff_id = ${staff}))`;
