import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { swedishDate } from '#contract';
import { AppFailure } from '#contract';
import { serverRoutes } from '#contract';
import type { Db } from '../db/types';
import { getRoute } from '../http/route';

/**
 * GET /api/v1/units (session required): the caller's provider organisation and the units of it
 * the caller holds a permission for today (valid_from ≤ today ≤ valid_to, or no valid_to; the
 * Swedish calendar day), with their number of clients. Least privilege is enforced in the query.
 * The unit list names no person, so it is not an access-log read.
 */
export function unitRoutes(
  app: FastifyInstance,
  deps: { db: Db; requireSession: preHandlerAsyncHookHandler; now?: () => Date },
): void {
  const now = deps.now ?? (() => new Date());
  getRoute(app, serverRoutes.units, { preHandler: deps.requireSession }, async ({ request }) => {
    const session = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');

    const { rows: organisations } = await deps.db.query<{ id: string; name: string; municipality: string }>(
      `SELECT o.id, o.name, o.municipality
         FROM staff s JOIN organisations o ON o.id = s.organisation_id
        WHERE s.id = $1`,
      [session.staffId],
    );
    const organisation = organisations[0];
    if (!organisation) throw new AppFailure('FORBIDDEN', 'The user belongs to no provider organisation');

    const { rows: units } = await deps.db.query<UnitRow>(
      `SELECT u.id, u.organisation_id, u.name, u.service_type,
              (SELECT count(*)::int FROM clients c WHERE c.unit_id = u.id) AS client_count
         FROM units u
        WHERE u.organisation_id = $2
          AND EXISTS (SELECT 1 FROM permissions p
                       WHERE p.unit_id = u.id AND p.staff_id = $1
                         AND p.valid_from <= $3::date AND (p.valid_to IS NULL OR p.valid_to >= $3::date))
        ORDER BY u.name`,
      [session.staffId, organisation.id, swedishDate(now())],
    );
    return {
      organisation,
      units: units.map((u) => ({
        id: u.id,
        organisationId: u.organisation_id,
        name: u.name,
        serviceType: u.service_type,
        clientCount: u.client_count,
      })),
    };
  });
}

interface UnitRow {
  id: string;
  organisation_id: string;
  name: string;
  service_type: 'hemtjanst' | 'daglig_verksamhet';
  client_count: number;
}
