import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { serverRoutes } from '#contract';
import { appliedVersions, loadMigrations } from '../db/migrate';
import type { Db } from '../db/types';
import { getRoute } from '../http/route';

/**
 * GET /health: the server runs and its database answers (what workstations ask).
 * GET /health/live: the process answers, nothing more (a liveness probe: restart when it fails).
 * GET /health/ready: the database answers and has every migration of this version, and the node is
 * not shutting down (a readiness probe: send no traffic while 503).
 */
export function healthRoutes(app: FastifyInstance, deps: { db: Db; version: string }): void {
  // This process: a restart (a fix deployed without a version change, say) is another server.
  const instance = randomUUID();
  getRoute(app, serverRoutes.health, {}, async () => {
    await deps.db.query('SELECT 1');
    return { status: 'ok' as const, version: deps.version, database: deps.db.kind, instance };
  });

  getRoute(app, serverRoutes.liveness, {}, async () => ({ status: 'ok' as const }));

  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
  });
  // This version's migrations, read once (the files do not change under a running server).
  let expected: Promise<number[]> | undefined;
  getRoute(app, serverRoutes.readiness, {}, async ({ reply }) => {
    expected ??= loadMigrations().then((all) => all.map((m) => m.version));
    let database: 'ok' | 'unreachable' = 'ok';
    let pending = 0;
    let migrations: 'current' | 'behind' | 'unknown' = 'unknown';
    try {
      const applied = new Set(await appliedVersions(deps.db));
      pending = (await expected).filter((v) => !applied.has(v)).length;
      migrations = pending === 0 ? 'current' : 'behind';
    } catch (error) {
      database = 'unreachable';
      reply.log.warn({ err: error }, 'readiness: the database does not answer');
    }
    const ready = database === 'ok' && migrations === 'current' && !shuttingDown;
    if (!ready) reply.code(503);
    return { status: ready ? ('ready' as const) : ('not_ready' as const), database, migrations, pendingMigrations: pending, shuttingDown };
  });
}
