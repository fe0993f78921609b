import type { FastifyInstance } from 'fastify';
import { serverRoutes } from '../../contract/server-api';
import { AppFailure } from '../../contract/result';
import type { Db } from '../db/types';
import { getRoute } from '../http/route';

/**
 * GET /api/v1/units: the provider organisation and its units with their number of clients.
 * Unauthenticated until login exists; it names no person, and the server listens on loopback
 * only by default (server/main.ts). Once login lands, the organisation is the caller's own.
 */
export function unitRoutes(app: FastifyInstance, deps: { db: Db }): void {
  getRoute(app, serverRoutes.units, {}, async () => {
    const { rows: organisations } = await deps.db.query<{ id: string; name: string; municipality: string }>(
      'SELECT id, name, municipality FROM organisations ORDER BY created_at, name LIMIT 1',
    );
    const organisation = organisations[0];
    if (!organisation) throw new AppFailure('NOT_FOUND', 'No provider organisation is set up');

    const { rows: units } = await deps.db.query<UnitRow>(
      `SELECT u.id, u.organisation_id, u.name, u.service_type, count(c.id)::int AS client_count
         FROM units u LEFT JOIN clients c ON c.unit_id = u.id
        WHERE u.organisation_id = $1
        GROUP BY u.id
        ORDER BY u.name`,
      [organisation.id],
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
