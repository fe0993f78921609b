import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Db } from './db/types';
import { registerErrorHandling } from './http/errors';
import { createLogger } from './logging';
import { healthRoutes } from './routes/health';
import { unitRoutes } from './routes/units';

export interface ServerOptions {
  db: Db;
  /** Reported by GET /health. */
  version: string;
  /** `false` for silence (tests); otherwise JSON lines to `stream` (stdout by default). */
  logger?: false | { stream?: DestinationStream; level?: string };
}

/**
 * The municipal server as a Fastify instance, not yet listening: `app.inject()` in tests,
 * `app.listen()` in server/main.ts. The caller owns `db` (migrates it before, closes it after).
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const common = {
    // Never trust X-Forwarded-* unless a deployment behind a proxy says so explicitly.
    trustProxy: false,
    bodyLimit: 1024 * 1024,
  };
  const app: FastifyInstance =
    options.logger === false
      ? Fastify({ ...common, logger: false })
      : Fastify({ ...common, loggerInstance: createLogger(options.logger ?? {}) as FastifyBaseLogger });

  registerErrorHandling(app);
  healthRoutes(app, { db: options.db, version: options.version });
  unitRoutes(app, { db: options.db });
  return app;
}
