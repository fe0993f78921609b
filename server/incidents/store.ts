import { INCIDENT_DEADLINE_HOURS, type Incident, type IncidentChannel } from '#contract';
import type { Queryable } from '../db/types';

/** security_incidents (migration 0020) as the routes read and write it. */

interface IncidentRow {
  id: string;
  what: string;
  systems: string;
  discovered_at: Date | string;
  reported_at: Date | string;
  reported_by_name: string;
  reported_by_staff_id: string;
  municipality_reported_at: Date | string | null;
  municipality_channel: IncidentChannel | null;
  municipality_reference: string | null;
  municipality_reported_by_name: string | null;
  closed_at: Date | string | null;
  closed_by_name: string | null;
  closing_comment: string | null;
  client_count: number;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const DEADLINE_MS = INCIDENT_DEADLINE_HOURS * 3600_000;

/** The row as the contract's Incident, the deadline and whether it is overdue computed at `now`. */
export function toIncident(r: IncidentRow, now: Date, clients: Incident['clients']): Incident {
  const deadline = new Date(r.discovered_at).getTime() + DEADLINE_MS;
  const reported = r.municipality_reported_at === null ? null : new Date(r.municipality_reported_at).getTime();
  return {
    id: r.id,
    what: r.what,
    systems: r.systems,
    discoveredAt: iso(r.discovered_at),
    reportedAt: iso(r.reported_at),
    reportedBy: r.reported_by_name,
    deadlineAt: new Date(deadline).toISOString(),
    status: r.closed_at !== null ? 'closed' : reported !== null ? 'reported' : 'open',
    overdue: reported === null && now.getTime() > deadline,
    municipality:
      reported === null
        ? null
        : { at: iso(r.municipality_reported_at!), channel: r.municipality_channel!, reference: r.municipality_reference ?? '', by: r.municipality_reported_by_name ?? '', late: reported > deadline },
    closed: r.closed_at === null ? null : { at: iso(r.closed_at), by: r.closed_by_name ?? '', comment: r.closing_comment ?? '' },
    clientCount: r.client_count,
    clients,
  };
}

const SELECT = `SELECT i.*, (SELECT count(*)::int FROM security_incident_clients c WHERE c.incident_id = i.id) AS client_count FROM security_incidents i`;

/**
 * The organisation's incidents (or only those `reporter` reported): open ones first, the nearest
 * deadline first; then those reported to the municipality; closed last, newest first.
 */
export async function listIncidents(db: Queryable, organisationId: string, reporter: string | null): Promise<IncidentRow[]> {
  const { rows } = await db.query<IncidentRow>(
    `${SELECT}
      WHERE i.organisation_id = $1 AND ($2::uuid IS NULL OR i.reported_by_staff_id = $2::uuid)
      ORDER BY CASE WHEN i.closed_at IS NOT NULL THEN 2 WHEN i.municipality_reported_at IS NOT NULL THEN 1 ELSE 0 END,
               CASE WHEN i.municipality_reported_at IS NULL THEN i.discovered_at END ASC,
               i.discovered_at DESC
      LIMIT 500`,
    [organisationId, reporter],
  );
  return rows;
}

export async function findIncident(db: Queryable, organisationId: string, id: string, lock = false): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(`${SELECT} WHERE i.organisation_id = $1 AND i.id = $2::uuid${lock ? ' FOR UPDATE' : ''}`, [organisationId, id]);
  return rows[0] ?? null;
}

/** The affected clients, those of `units` only when given (what a reporter without the administrator's role may still see). */
export async function incidentClients(db: Queryable, id: string, units: readonly string[] | null): Promise<NonNullable<Incident['clients']>> {
  const { rows } = await db.query<{ id: string; name: string; personnummer: string }>(
    `SELECT c.id, c.given_name || ' ' || c.family_name AS name, c.personnummer
       FROM security_incident_clients ic JOIN clients c ON c.id = ic.client_id
      WHERE ic.incident_id = $1 AND ($2::uuid[] IS NULL OR c.unit_id = ANY($2::uuid[]))
      ORDER BY c.family_name, c.given_name`,
    [id, units],
  );
  return rows;
}

export interface Reporter {
  id: string;
  name: string;
  organisationId: string;
}

export async function insertIncident(
  tx: Queryable,
  by: Reporter,
  incident: { what: string; systems: string; discoveredAt: Date; clientIds: readonly string[] },
  now: Date,
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO security_incidents (organisation_id, reported_by_staff_id, reported_by_name, reported_at, what, systems, discovered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [by.organisationId, by.id, by.name, now, incident.what, incident.systems, incident.discoveredAt],
  );
  const id = rows[0]!.id;
  if (incident.clientIds.length > 0) {
    await tx.query('INSERT INTO security_incident_clients (incident_id, client_id) SELECT $1, unnest($2::uuid[])', [id, incident.clientIds]);
  }
  return id;
}

export async function recordMunicipalityReport(tx: Queryable, id: string, by: Reporter, report: { at: Date; channel: IncidentChannel; reference: string }): Promise<void> {
  await tx.query(
    `UPDATE security_incidents SET municipality_reported_at = $2, municipality_channel = $3, municipality_reference = $4,
            municipality_reported_by_staff_id = $5, municipality_reported_by_name = $6
      WHERE id = $1`,
    [id, report.at, report.channel, report.reference, by.id, by.name],
  );
}

export async function closeIncident(tx: Queryable, id: string, by: Reporter, comment: string, now: Date): Promise<void> {
  await tx.query('UPDATE security_incidents SET closed_at = $2, closed_by_staff_id = $3, closed_by_name = $4, closing_comment = $5 WHERE id = $1', [id, now, by.id, by.name, comment]);
}

/** The client ids of the incident (for the access-log events of a change). */
export async function incidentClientIds(db: Queryable, id: string): Promise<string[]> {
  const { rows } = await db.query<{ client_id: string }>('SELECT client_id FROM security_incident_clients WHERE incident_id = $1 ORDER BY client_id', [id]);
  return rows.map((r) => r.client_id);
}
