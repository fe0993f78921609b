import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppFailure, swedishDate, type GrantRole } from '#contract';
import type { Queryable } from '../db/types';

/**
 * The roles a person holds now (server/migrations/0017_administration.sql, role_grants): in force
 * when confirmed, not ended, and today (the Swedish calendar day) within valid_from..valid_to.
 * A role held on one unit has `unitId`; on the whole provider organisation `unitId` null.
 */
export type AdminRole = Exclude<GrantRole, 'staff'>;

export interface HeldRole {
  role: AdminRole;
  organisationId: string;
  unitId: string | null;
}

export async function activeRoles(db: Pick<Queryable, 'query'>, staffId: string, now: Date): Promise<HeldRole[]> {
  const { rows } = await db.query<{ role: AdminRole; organisation_id: string; unit_id: string | null }>(
    `SELECT g.role, g.organisation_id, g.unit_id
       FROM role_grants g JOIN staff s ON s.id = g.staff_id AND s.organisation_id = g.organisation_id
      WHERE g.staff_id = $1 AND g.confirmed_at IS NOT NULL
        AND g.valid_from <= $2::date AND (g.valid_to IS NULL OR g.valid_to >= $2::date)
      ORDER BY g.role, g.unit_id NULLS FIRST`,
    [staffId, swedishDate(now)],
  );
  return rows.map((r) => ({ role: r.role, organisationId: r.organisation_id, unitId: r.unit_id }));
}

/** The roles on the request, once requireRole has run. */
declare module 'fastify' {
  interface FastifyRequest {
    heldRoles: HeldRole[] | null;
  }
}

export const rolesOf = (request: FastifyRequest): HeldRole[] => request.heldRoles ?? [];

/**
 * A preHandler: a session (401 otherwise) and at least one of `roles` in force (403 FORBIDDEN
 * otherwise), checked before the body is read, so a refused caller learns nothing about input.
 */
export function requireRole(
  requireSession: preHandlerAsyncHookHandler,
  db: Queryable,
  now: () => Date,
  roles: readonly AdminRole[],
  message: string,
): preHandlerAsyncHookHandler {
  return async function (request, reply) {
    await requireSession.call(this, request, reply);
    if (reply.sent) return;
    const session = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');
    const held = (await activeRoles(db, session.staffId, now())).filter((r) => roles.includes(r.role));
    if (held.length === 0) throw new AppFailure('FORBIDDEN', message);
    request.heldRoles = held;
  };
}

/**
 * Whether the held administrator roles reach `unitId` (null: an organisation-wide grant, which
 * only an organisation-wide administrator may give or end).
 */
export function administers(held: readonly HeldRole[], organisationId: string, unitId: string | null): boolean {
  return held.some((r) => r.role === 'it_contact' && r.organisationId === organisationId && (r.unitId === null || r.unitId === unitId));
}
