import { AppFailure, swedishDate, type Grant, type GrantRequest, type GrantRole, type PermissionEvent } from '#contract';
import type { Queryable } from '../db/types';

/**
 * People, grants and their history in SQL (docs/administration.md). A grant is a row of
 * `permissions` (role staff, one unit: client data) or of `role_grants` (superuser, it_contact,
 * manager; one unit or the whole organisation). Every change also appends a `permission_events`
 * row naming who did it. Callers run these in one transaction and have checked the actor's roles.
 */
export interface Actor {
  id: string;
  name: string;
  organisationId: string;
}

export interface GrantRow {
  id: string;
  staff_id: string;
  role: GrantRole;
  unit_id: string | null;
  unit_name: string | null;
  valid_from: string;
  valid_to: string | null;
  confirmed_at: Date | string | null;
  ended_at: Date | string | null;
  granted_by_name: string | null;
  confirmed_by_name: string | null;
  ended_by_name: string | null;
  granted_by: string | null;
  organisation_id: string;
}

/** Both kinds of grant as one relation, with the names of who granted, confirmed and ended. */
const GRANTS = `
  SELECT x.*, gb.given_name || ' ' || gb.family_name AS granted_by_name,
         cb.given_name || ' ' || cb.family_name AS confirmed_by_name,
         eb.given_name || ' ' || eb.family_name AS ended_by_name
    FROM (SELECT p.id, p.staff_id, 'staff'::text AS role, p.unit_id, u.name AS unit_name, p.valid_from::text AS valid_from,
                 p.valid_to::text AS valid_to, p.granted_by, p.created_at AS confirmed_at, p.granted_by AS confirmed_by,
                 p.ended_at, p.ended_by, u.organisation_id
            FROM permissions p JOIN units u ON u.id = p.unit_id
          UNION ALL
          SELECT g.id, g.staff_id, g.role, g.unit_id, u.name, g.valid_from::text, g.valid_to::text, g.granted_by, g.confirmed_at,
                 g.confirmed_by, g.ended_at, g.ended_by, g.organisation_id
            FROM role_grants g LEFT JOIN units u ON u.id = g.unit_id) x
    LEFT JOIN staff gb ON gb.id = x.granted_by
    LEFT JOIN staff cb ON cb.id = x.confirmed_by
    LEFT JOIN staff eb ON eb.id = x.ended_by`;

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toGrant(r: GrantRow, today: string): Grant {
  // Ended: its last day has passed, or it was ended before it began. Ended for a later day, it holds until then.
  const ended = r.valid_to !== null && (r.valid_to < today || r.valid_to < r.valid_from);
  const status = ended ? 'ended' : r.confirmed_at === null ? 'pending_confirmation' : r.valid_from > today ? 'future' : 'active';
  return {
    id: r.id,
    staffId: r.staff_id,
    role: r.role,
    unitId: r.unit_id,
    unitName: r.unit_name,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status,
    grantedBy: r.granted_by_name,
    grantedById: r.granted_by,
    confirmedBy: r.role === 'staff' ? r.granted_by_name : r.confirmed_at === null ? null : r.confirmed_by_name,
    endedAt: iso(r.ended_at),
    endedBy: r.ended_by_name,
  };
}

export async function grantsOf(db: Queryable, organisationId: string, now: Date, staffId?: string): Promise<Grant[]> {
  const { rows } = await db.query<GrantRow>(
    `${GRANTS} WHERE x.organisation_id = $1 AND ($2::uuid IS NULL OR x.staff_id = $2::uuid) ORDER BY x.valid_from DESC, x.role, x.unit_name NULLS FIRST`,
    [organisationId, staffId ?? null],
  );
  const today = swedishDate(now);
  return rows.map((r) => toGrant(r, today));
}

async function grantById(db: Queryable, organisationId: string, id: string): Promise<GrantRow | null> {
  const { rows } = await db.query<GrantRow>(`${GRANTS} WHERE x.organisation_id = $1 AND x.id = $2::uuid`, [organisationId, id]);
  return rows[0] ?? null;
}

export interface PersonRow {
  id: string;
  hsa_id: string;
  given_name: string;
  family_name: string;
  title: string;
  organisation_id: string | null;
}

export async function personById(db: Queryable, id: string): Promise<PersonRow | null> {
  const { rows } = await db.query<PersonRow>('SELECT id, hsa_id, given_name, family_name, title, organisation_id FROM staff WHERE id = $1::uuid', [id]);
  return rows[0] ?? null;
}

export async function peopleOf(db: Queryable, organisationId: string): Promise<PersonRow[]> {
  const { rows } = await db.query<PersonRow>(
    'SELECT id, hsa_id, given_name, family_name, title, organisation_id FROM staff WHERE organisation_id = $1 ORDER BY family_name, given_name, hsa_id',
    [organisationId],
  );
  return rows;
}

interface EventInput {
  action: PermissionEvent['action'];
  actor: Actor | null;
  target: { id: string; name: string };
  organisationId: string;
  grant?: { id: string; role: GrantRole; unitId: string | null; unitName: string | null; validFrom: string; validTo: string | null };
  at: Date;
}

export async function appendEvent(tx: Queryable, e: EventInput): Promise<void> {
  await tx.query(
    `INSERT INTO permission_events (at, action, actor_staff_id, actor_name, target_staff_id, target_name, organisation_id,
                                    grant_id, role, unit_id, unit_name, valid_from, valid_to)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      e.at,
      e.action,
      e.actor?.id ?? null,
      e.actor?.name ?? null,
      e.target.id,
      e.target.name,
      e.organisationId,
      e.grant?.id ?? null,
      e.grant?.role ?? null,
      e.grant?.unitId ?? null,
      e.grant?.unitName ?? null,
      e.grant?.validFrom ?? null,
      e.grant?.validTo ?? null,
    ],
  );
}

const nameOf = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;

export interface NewPerson {
  hsaId: string;
  givenName: string;
  familyName: string;
  title: string;
}

/** A new person of the actor's organisation; an HSA-ID already known is a CONFLICT (never a second row). */
export async function addPerson(tx: Queryable, actor: Actor | null, organisationId: string, p: NewPerson, at: Date): Promise<PersonRow> {
  const { rows } = await tx.query<PersonRow>(
    `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, $2, $3, $4, 'staff', $5)
     ON CONFLICT (hsa_id) DO NOTHING
     RETURNING id, hsa_id, given_name, family_name, title, organisation_id`,
    [p.hsaId, p.givenName, p.familyName, p.title, organisationId],
  );
  const person = rows[0];
  if (!person) throw new AppFailure('CONFLICT', 'Det finns redan en person med detta HSA-id.');
  await appendEvent(tx, { action: actor ? 'person_added' : 'bootstrap', actor, target: { id: person.id, name: nameOf(person) }, organisationId, at });
  return person;
}

/**
 * Grants `req` to a person of the organisation. `actor` null: the bootstrap command (the only
 * grant made outside the UI). Nobody grants herself anything; an it_contact grant waits for a
 * second administrator's confirmation.
 */
export async function grant(tx: Queryable, actor: Actor | null, organisationId: string, req: GrantRequest, now: Date): Promise<Grant> {
  const target = await personById(tx, req.staffId);
  if (!target || target.organisation_id !== organisationId) throw new AppFailure('NOT_FOUND', 'Personen finns inte i organisationen.');
  if (actor && actor.id === target.id) throw new AppFailure('FORBIDDEN', 'Du kan inte ge dig själv behörigheter.');
  let unitName: string | null = null;
  if (req.unitId !== null) {
    const { rows } = await tx.query<{ name: string }>('SELECT name FROM units WHERE id = $1::uuid AND organisation_id = $2', [req.unitId, organisationId]);
    if (!rows[0]) throw new AppFailure('NOT_FOUND', 'Enheten finns inte i organisationen.');
    unitName = rows[0].name;
  }
  const grantedBy = actor?.id ?? null;
  let id: string;
  if (req.role === 'staff') {
    const { rows } = await tx.query<{ id: string }>(
      'INSERT INTO permissions (staff_id, unit_id, valid_from, valid_to, granted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [target.id, req.unitId, req.validFrom, req.validTo, grantedBy, now],
    );
    id = rows[0]!.id;
  } else {
    // Four-eyes: a new administrator is in force only once a second administrator confirms.
    const confirmed = req.role !== 'it_contact' || actor === null;
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, valid_to, granted_by, confirmed_at, confirmed_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [target.id, organisationId, req.unitId, req.role, req.validFrom, req.validTo, grantedBy, confirmed ? now : null, confirmed ? grantedBy : null, now],
    );
    id = rows[0]!.id;
  }
  await appendEvent(tx, {
    action: actor ? 'granted' : 'bootstrap',
    actor,
    target: { id: target.id, name: nameOf(target) },
    organisationId,
    grant: { id, role: req.role, unitId: req.unitId, unitName, validFrom: req.validFrom, validTo: req.validTo },
    at: now,
  });
  return toGrant((await grantById(tx, organisationId, id))!, swedishDate(now));
}

/** The grant as the API answers it (a create answered again: createOnce). */
export async function readGrant(db: Queryable, organisationId: string, id: string, now: Date): Promise<Grant> {
  return toGrant(await findGrant(db, organisationId, id), swedishDate(now));
}

/** The grant, or NOT_FOUND (also for another organisation's). */
export async function findGrant(db: Queryable, organisationId: string, id: string): Promise<GrantRow> {
  const row = await grantById(db, organisationId, id);
  if (!row) throw new AppFailure('NOT_FOUND', 'Behörigheten finns inte.');
  return row;
}

/**
 * A second administrator confirms a pending it_contact grant: neither the grantor nor the grantee.
 * Two at once: the row lock makes the second wait and then find it confirmed (CONFLICT), so the
 * history holds one "confirmed".
 */
export async function confirm(tx: Queryable, actor: Actor, row: GrantRow, now: Date): Promise<Grant> {
  const today = swedishDate(now);
  if (toGrant(row, today).status !== 'pending_confirmation') throw new AppFailure('CONFLICT', 'Behörigheten väntar inte på bekräftelse.');
  if (actor.id === row.granted_by || actor.id === row.staff_id) {
    throw new AppFailure('FORBIDDEN', 'En annan administratör än den som gav behörigheten måste bekräfta den.');
  }
  const { rows } = await tx.query('UPDATE role_grants SET confirmed_at = $2, confirmed_by = $3 WHERE id = $1 AND confirmed_at IS NULL RETURNING id', [row.id, now, actor.id]);
  if (rows.length === 0) throw new AppFailure('CONFLICT', 'Behörigheten har redan bekräftats.');
  await appendEvent(tx, { action: 'confirmed', actor, target: await targetOf(tx, row.staff_id), organisationId: row.organisation_id, grant: grantFields(row), at: now });
  return toGrant((await grantById(tx, row.organisation_id, row.id))!, today);
}

/** Administrators: the role whose grant needs four eyes. */
const ADMIN_ROLE = 'it_contact';

/**
 * Ends a grant from `endsOn` (default today; never a past day): its period is cut to end the day
 * before — at once for today (every "valid today" query then leaves it out; the NOTIFY trigger
 * tells the person's open event streams, which drop the unit) — and who ended it when is kept. An
 * ended grant stays on record; one ended for a later day may be ended again sooner.
 * An administrator's role (it_contact) follows the four-eyes rule both ways (issue 25 point 8):
 * ended by another administrator, the first call only asks (event end_requested) and a second
 * administrator — not the one who asked, not its holder — ends it; she may end her own, but never
 * as the organisation's last administrator.
 */
export async function end(tx: Queryable, actor: Actor, row: GrantRow, now: Date, endsOn?: string): Promise<Grant> {
  const today = swedishDate(now);
  if (toGrant(row, today).status === 'ended') throw new AppFailure('CONFLICT', 'Behörigheten har redan upphört.');
  const from = endsOn ?? today;
  if (from < today) throw new AppFailure('VALIDATION', `Behörigheten kan inte avslutas bakåt i tiden: välj i dag (${today}) eller en senare dag.`);
  const table = row.role === 'staff' ? 'permissions' : 'role_grants';
  // Lock the row: two ends (or an end and its request) at once are one after the other.
  await tx.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [row.id]);
  // A grant still waiting for its confirmation is not in force: it ends without a second pair of eyes.
  if (row.role === ADMIN_ROLE && row.confirmed_at !== null) {
    if (actor.id === row.staff_id) await mustNotBeLastAdministrator(tx, row, today);
    else {
      const { rows } = await tx.query<{ end_requested_by: string | null }>('SELECT end_requested_by FROM role_grants WHERE id = $1', [row.id]);
      const requestedBy = rows[0]?.end_requested_by ?? null;
      if (requestedBy === null) {
        await tx.query('UPDATE role_grants SET end_requested_at = $2, end_requested_by = $3 WHERE id = $1', [row.id, now, actor.id]);
        await appendEvent(tx, { action: 'end_requested', actor, target: await targetOf(tx, row.staff_id), organisationId: row.organisation_id, grant: grantFields(row), at: now });
        return toGrant((await grantById(tx, row.organisation_id, row.id))!, today);
      }
      if (requestedBy === actor.id) throw new AppFailure('FORBIDDEN', 'En annan administratör än den som begärde avslutet måste avsluta administratörsrollen.');
      await mustNotBeLastAdministrator(tx, row, today);
    }
  }
  // Under the row lock: a second end at once finds nothing to shorten and is refused.
  const { rows: ended } = await tx.query(
    `UPDATE ${table} SET valid_to = GREATEST(valid_from - 1, LEAST(coalesce(valid_to, $2::date - 1), $2::date - 1)), ended_at = $3, ended_by = $4
      WHERE id = $1 AND (ended_at IS NULL OR valid_to IS NULL OR valid_to > $2::date - 1) RETURNING id`,
    [row.id, from, now, actor.id],
  );
  if (ended.length === 0) throw new AppFailure('CONFLICT', 'Behörigheten har redan upphört.');
  const after = (await grantById(tx, row.organisation_id, row.id))!;
  await appendEvent(tx, { action: 'ended', actor, target: await targetOf(tx, row.staff_id), organisationId: row.organisation_id, grant: grantFields(after), at: now });
  return toGrant(after, today);
}

/** The organisation keeps at least one other confirmed, organisation-wide administrator valid today. */
async function mustNotBeLastAdministrator(tx: Queryable, row: GrantRow, today: string): Promise<void> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(DISTINCT staff_id)::int AS n FROM role_grants
      WHERE organisation_id = $1 AND role = $2 AND unit_id IS NULL AND confirmed_at IS NOT NULL AND ended_at IS NULL
        AND valid_from <= $3::date AND (valid_to IS NULL OR valid_to >= $3::date) AND staff_id <> $4`,
    [row.organisation_id, ADMIN_ROLE, today, row.staff_id],
  );
  if (rows[0]!.n === 0) throw new AppFailure('CONFLICT', 'Organisationens sista administratör kan inte avsluta sin roll: ge först någon annan rollen.');
}

const grantFields = (r: GrantRow) => ({ id: r.id, role: r.role, unitId: r.unit_id, unitName: r.unit_name, validFrom: r.valid_from, validTo: r.valid_to });

async function targetOf(db: Queryable, staffId: string): Promise<{ id: string; name: string }> {
  const p = await personById(db, staffId);
  return { id: staffId, name: p ? nameOf(p) : '' };
}

export async function history(db: Queryable, organisationId: string, staffId?: string): Promise<PermissionEvent[]> {
  const { rows } = await db.query<{
    id: string;
    at: Date | string;
    action: PermissionEvent['action'];
    actor_name: string | null;
    target_staff_id: string;
    target_name: string;
    grant_id: string | null;
    role: GrantRole | null;
    unit_name: string | null;
    valid_from: string | null;
    valid_to: string | null;
  }>(
    `SELECT id::text AS id, at, action, actor_name, target_staff_id, target_name, grant_id, role, unit_name,
            valid_from::text AS valid_from, valid_to::text AS valid_to
       FROM permission_events WHERE organisation_id = $1 AND ($2::uuid IS NULL OR target_staff_id = $2::uuid)
      ORDER BY id DESC LIMIT 1000`,
    [organisationId, staffId ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    action: r.action,
    actorName: r.actor_name,
    targetStaffId: r.target_staff_id,
    targetName: r.target_name,
    grantId: r.grant_id,
    role: r.role,
    unitName: r.unit_name,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  }));
}
