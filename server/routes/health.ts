import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { serverRoutes } from '#contract';
import type { Db } from '../db/types';
import { getRoute } from '../http/route';

/** GET /health: the server runs and its database answers. */
export function healthRoutes(app: FastifyInstance, deps: { db: Db; version: string }): void {
  // This process: a restart (a fix deployed without a version change, say) is another server.
  const instance = randomUUID();
  getRoute(app, serverRoutes.health, {}, async () => {
    await deps.db.query('SELECT 1');
    return { status: 'ok' as const, version: deps.version, database: deps.db.kind, instance };
  });
}
