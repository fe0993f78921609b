import Fastify, { type FastifyBaseLogger, type FastifyInstance, type preHandlerAsyncHookHandler } from 'fastify';
import type { DestinationStream } from 'pino';
import { authRoutes } from '../contract/auth';
import { SqlAccessLog } from './audit/access-log';
import { SqlNonceStore } from './auth/nonces';
import { registerAuthRoutes } from './auth/routes';
import { SqlSessionStore } from './auth/sessions';
import { SqlStaffDirectory } from './auth/staff';
import { trustConfigFromPem, type TrustPem } from './auth/trust';
import type { Db } from './db/types';
import { errorBody, registerErrorHandling } from './http/errors';
import { createLogger } from './logging';
import { healthRoutes } from './routes/health';
import { unitRoutes } from './routes/units';

/** Card-signed login (docs/login.md): what the server trusts and the origin workstations sign for. */
export interface ServerAuthOptions {
  /** PEM texts (bundles allowed) of the trust anchors and intermediates, and the LoA3 policy OID(s). */
  trust: TrustPem;
  /** The exact origin workstations sign for; a function when it is known only after listen(). */
  expectedOrigin: string | (() => string);
  /** Session lifetime without renewal; default 10 minutes. */
  sessionTtlMs?: number;
  /** The clock of login, sessions and permissions (tests). */
  now?: () => Date;
}

export interface ServerOptions {
  db: Db;
  /** Reported by GET /health. */
  version: string;
  /** `false` for silence (tests); otherwise JSON lines to `stream` (stdout by default). */
  logger?: false | { stream?: DestinationStream; level?: string };
  /**
   * Login. Absent (unit tests of unrelated routes): no auth routes. `'disabled'` (a server started
   * without trust anchors): the auth routes answer 503 SERVER_ERROR. Either way every protected
   * route answers 401 UNAUTHENTICATED.
   */
  auth?: ServerAuthOptions | 'disabled';
}

/**
 * The municipal server as a Fastify instance, not yet listening: `app.inject()` in tests,
 * `app.listen()` in server/main.ts. The caller owns `db` (migrates it before, closes it after).
 * Throws when the trust configuration is unusable (no CA, no policy).
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

  const auth = options.auth;
  let requireSession: preHandlerAsyncHookHandler = noSession;
  if (auth === 'disabled') {
    registerDisabledAuthRoutes(app);
  } else if (auth) {
    const { db } = options;
    ({ requireSession } = registerAuthRoutes(app, {
      nonces: new SqlNonceStore(db),
      sessions: new SqlSessionStore(db),
      staff: new SqlStaffDirectory(db),
      accessLog: new SqlAccessLog(db),
      trust: trustConfigFromPem(auth.trust),
      expectedOrigin: auth.expectedOrigin,
      ...(auth.sessionTtlMs !== undefined ? { sessionTtlMs: auth.sessionTtlMs } : {}),
      ...(auth.now ? { now: auth.now } : {}),
    }));
  }
  unitRoutes(app, { db: options.db, requireSession, ...(auth && auth !== 'disabled' && auth.now ? { now: auth.now } : {}) });
  return app;
}

/** Without login nobody has a session. */
const noSession: preHandlerAsyncHookHandler = async (_request, reply) => {
  return reply.code(401).send(errorBody('UNAUTHENTICATED', 'No session: login is not available on this server'));
};

function registerDisabledAuthRoutes(app: FastifyInstance): void {
  for (const route of Object.values(authRoutes)) {
    app.post(route.path, async (_request, reply) =>
      reply.code(503).send(errorBody('SERVER_ERROR', 'Login is disabled: the server has no trust anchors configured (TRUST_ANCHORS)')),
    );
  }
}
