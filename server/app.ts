import Fastify, { type FastifyBaseLogger, type FastifyInstance, type preHandlerAsyncHookHandler } from 'fastify';
import type { DestinationStream } from 'pino';
import { API_VERSION, API_VERSION_HEADER, exampleKsiList, ksiIndex, OLDEST_SERVED_API_VERSION, officerRoutes, passwordLoginRoutes, type KsiList } from '#contract';
import { authRoutes } from '#contract';
import { registerAdminRoutes } from './admin/routes';
import type { AccessLog } from './audit/access-events';
import { SqlAccessLog } from './audit/access-log';
import { registerFollowUpRoutes } from './audit/follow-up-routes';
import { maintainAccessLog } from './audit/partitions';
import { registerAccessLogRoutes } from './audit/routes';
import { DEFAULT_ASSURANCE, type AssuranceLevels } from './auth/assurance';
import { SqlNonceStore } from './auth/nonces';
import { createOidcLogin, SqlOidcLoginStore, type OidcSettings } from './auth/oidc';
import { registerOidcRoutes } from './auth/oidc-routes';
import { registerCredentialRoutes, registerPasswordLogin, type PasswordLoginOptions } from './auth/password';
import { startAuthPurge } from './auth/purge';
import { registerAuthRoutes } from './auth/routes';
import type { AuthService, AuthSession, TrustConfig } from './auth/service';
import { SqlSessionStore } from './auth/sessions';
import { SqlStaffDirectory } from './auth/staff';
import { trustConfigFromPem, type TrustPem } from './auth/trust';
import type { Db } from './db/types';
import { BODY_LIMIT, EMPTY_BODY_LIMIT, registerJsonParser } from './http/body-limits';
import { DEFAULT_HTTP_LIMITS, fastifyTimeouts, limitConnections, TrustedProxies, type HttpLimits } from './http/connections';
import { clientErrorHandler, errorBody, registerErrorHandling } from './http/errors';
import { createMetrics, registerMetrics, type ServerMetrics } from './http/metrics';
import { registerOpenApi } from './http/openapi';
import { RateLimiter, type RateLimitOptions } from './http/rate-limit';
import { recordRoutes } from './http/route-list';
import { registerIncidentRoutes } from './incidents/routes';
import { SERVER_KINDS, SERVER_REGISTRY } from './kinds';
import { createLogger } from './logging';
import { registerKsiRoutes } from './plans/ksi';
import { healthRoutes } from './routes/health';
import { unitRoutes } from './routes/units';
import { registerSupportRoutes } from './support/routes';
import { PERMISSIONS_CHANNEL } from './sync/events';
import type { CodeLists } from './sync/kind';
import { SYNC_CHANNEL, SyncNotifier } from './sync/notifier';
import { retentionDaysOf, startRetentionJob, type RetentionDays } from './sync/retention';
import { registerSyncRoutes } from './sync/routes';

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
  /** Limits on the challenge and login routes (server/http/rate-limit.ts); `false`: none (tests that log in a lot). */
  rateLimit?: RateLimitOptions | false;
  /** Login through the organisation's identity provider (OpenID Connect; server/auth/oidc.ts); absent: card only. */
  oidc?: OidcSettings;
  /** The assurance level each function needs (server/auth/assurance.ts, LOA_LEVELS); default DEFAULT_ASSURANCE. */
  assurance?: AssuranceLevels;
  /** Password + one-time code (server/auth/password): the SMS gateway and the Yubico validation service. */
  passwordLogin?: PasswordLoginOptions;
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
  /** Sync (docs/sync.md); all optional. */
  sync?: ServerSyncOptions;
  /** The access log's signed checkpoints (server/audit/anchor.ts) the administrator's integrity check compares with. */
  anchor?: { file: string; publicKeyFile: string };
  /** What GET /metrics reports (server/http/metrics.ts); default a registry of this app's own. */
  metrics?: ServerMetrics;
  /** Timeouts and connection limits (server/http/connections.ts); each absent one its default. */
  httpLimits?: Partial<HttpLimits>;
  /** Addresses or CIDR ranges of the proxies whose X-Forwarded-For gives the client address (TRUSTED_PROXIES); default none. */
  trustedProxies?: string[];
  /** The organisation's KSI list (KSI_LIST_FILE, server/plans/ksi.ts): handed to workstations, drafts checked against it; default the example list. */
  ksi?: KsiList;
}

export interface ServerSyncOptions {
  /** Per retained kind, records older than this many days are purged and never pulled (e.g. DAY_NOTE_RETENTION_DAYS); default the kind's own. */
  retentionDays?: RetentionDays;
  /** Months of the access log kept (ACCESS_LOG_RETENTION_MONTHS, at least 60); absent: for ever. */
  accessLogRetentionMonths?: number;
  /** How often the retention job runs (it also runs when the server is ready); default one hour; `false`: never. */
  retentionIntervalMs?: number | false;
  /** Event streams: keep-alive and session check; default 25 s. */
  keepAliveMs?: number;
  /** Event streams: changes within this window become one event; default 100 ms. */
  coalesceMs?: number;
  /**
   * Event streams: `changed` for a write goes out after `coalesceMs` plus a random delay up to this,
   * per stream, so that a unit's workstations do not all pull in the same instant; default 400 ms.
   */
  spreadMs?: number;
  /** The clock of pulls, pushes and retention; default auth.now, else the system clock. */
  now?: () => Date;
}

/**
 * The municipal server as a Fastify instance, not yet listening: `app.inject()` in tests,
 * `app.listen()` in server/main.ts. The caller owns `db` (migrates it before, closes it after).
 * Throws when the trust configuration is unusable (no CA, no policy).
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.httpLimits };
  const proxies = new TrustedProxies(options.trustedProxies ?? []);
  const common = {
    // X-Forwarded-For only from the proxies the deployment names (TRUSTED_PROXIES); by default nobody's.
    trustProxy: proxies.any ? (address: string) => proxies.has(address) : false,
    bodyLimit: BODY_LIMIT,
    clientErrorHandler,
    ...fastifyTimeouts(limits),
  };
  const app: FastifyInstance =
    options.logger === false
      ? Fastify({ ...common, logger: false })
      : Fastify({ ...common, loggerInstance: createLogger(options.logger ?? {}) as FastifyBaseLogger });

  limitConnections(app.server, limits, proxies, (summary) => app.log.warn(summary, 'anslutningar nekade: för många öppna från en adress (eller totalt)'));
  recordRoutes(app);
  // Every answer states the server's API version (contract/server-api.ts).
  app.addHook('onSend', async (_request, reply) => {
    reply.header(API_VERSION_HEADER, String(API_VERSION));
  });
  registerJsonParser(app);
  registerErrorHandling(app);
  healthRoutes(app, { db: options.db, version: options.version });
  const metrics = options.metrics ?? createMetrics();

  const auth = options.auth;
  const assurance = (auth !== 'disabled' ? auth?.assurance : undefined) ?? DEFAULT_ASSURANCE;
  let requireSession: preHandlerAsyncHookHandler = noSession;
  let authenticate: ((token: string | undefined) => Promise<AuthSession>) | undefined;
  let trust: TrustConfig | undefined;
  if (auth === 'disabled') {
    registerDisabledAuthRoutes(app);
  } else if (auth) {
    const { db } = options;
    let service: AuthService;
    trust = trustConfigFromPem(auth.trust);
    const limiter = auth.rateLimit === false ? undefined : new RateLimiter(db, auth.now ?? (() => new Date()), auth.rateLimit);
    const accessLog = countLogins(new SqlAccessLog(db), metrics);
    const staff = new SqlStaffDirectory(db);
    ({ requireSession, service } = registerAuthRoutes(app, {
      nonces: new SqlNonceStore(db),
      sessions: new SqlSessionStore(db),
      staff,
      accessLog,
      trust,
      expectedOrigin: auth.expectedOrigin,
      ...(auth.sessionTtlMs !== undefined ? { sessionTtlMs: auth.sessionTtlMs } : {}),
      ...(auth.now ? { now: auth.now } : {}),
      ...(limiter ? { limiter } : {}),
      onWorkstationVersion: (version, request) => {
        metrics.workstationVersions.inc({ version: version === undefined ? 'invalid' : String(version) });
        // A workstation updated before its server (the usual order when PCs update themselves): it
        // says so to its user; here it is logged for IT (docs/operations.md, "Upgrade order").
        if (version === undefined || version > API_VERSION || version < OLDEST_SERVED_API_VERSION) {
          request.log.warn({ workstationApiVersion: version ?? 'invalid', serverApiVersion: API_VERSION, oldestServed: OLDEST_SERVED_API_VERSION }, 'workstation API version differs from what this server serves');
        }
      },
      log: (obj, msg) => app.log.warn(obj, msg),
      assurance,
    }));
    registerPasswordLogin(app, {
      db,
      auth: service,
      accessLog,
      ...(limiter ? { limiter } : {}),
      ...(auth.now ? { now: auth.now } : {}),
      ...(auth.passwordLogin ? { options: auth.passwordLogin } : {}),
      log: (obj, msg) => app.log.warn(obj, msg),
    });
    authenticate = (token) => service.authenticate(token);
    const oidc = auth.oidc
      ? createOidcLogin({ settings: auth.oidc, store: new SqlOidcLoginStore(db), staff, accessLog, openSession: service.openSession, endIdpSession: service.endIdpSession, ...(auth.now ? { now: auth.now } : {}) })
      : undefined;
    registerOidcRoutes(app, { card: true, assurance, ...(oidc ? { oidc } : {}), ...(limiter ? { limiter } : {}) });
    registerAuthPurge(app, db, auth.now ?? (() => new Date()));
  }
  const authNow = auth && auth !== 'disabled' ? auth.now : undefined;
  unitRoutes(app, { db: options.db, requireSession, ...(authNow ? { now: authNow } : {}) });
  const ksi = options.ksi ?? exampleKsiList();
  const codes = { ksi: ksiIndex(ksi) };
  const streams = registerSync(app, options.db, requireSession, authenticate, metrics, { ...(authNow ? { now: authNow } : {}), ...options.sync }, limits.eventStreamsPerSession, assurance, codes);
  registerMetrics(app, metrics, { db: options.db, openStreams: () => streams.size });
  registerOpenApi(app, options.version);
  // Each synced kind's own API beyond sync (the case officer's side of assignments and plans, messages, notices).
  for (const kind of SERVER_KINDS) if ('routes' in kind) kind.routes(app, { db: options.db, requireSession, now: authNow ?? (() => new Date()), assurance });
  registerAccessLogRoutes(app, { db: options.db, requireSession, now: options.sync?.now ?? authNow ?? (() => new Date()) });
  registerAdminRoutes(app, { db: options.db, requireSession, now: authNow ?? (() => new Date()), ...(trust ? { trust } : {}) });
  registerCredentialRoutes(app, { db: options.db, requireSession, now: authNow ?? (() => new Date()) });
  registerFollowUpRoutes(app, { db: options.db, requireSession, now: authNow ?? (() => new Date()), ...(options.anchor ? { anchor: options.anchor } : {}) });
  registerIncidentRoutes(app, { db: options.db, requireSession, now: authNow ?? (() => new Date()) });
  registerSupportRoutes(app, { db: options.db, requireSession, now: authNow ?? (() => new Date()) });
  registerKsiRoutes(app, { requireSession, list: ksi });
  return app;
}

/**
 * The sync routes, and what keeps them fed while the server runs: LISTEN on the change channel
 * (every node hears every node's writes), the retention job, and closing the event streams.
 */
function registerSync(
  app: FastifyInstance,
  db: Db,
  requireSession: preHandlerAsyncHookHandler,
  authenticate: ((token: string | undefined) => Promise<AuthSession>) | undefined,
  metrics: ServerMetrics,
  options: ServerSyncOptions,
  streamsPerSession: number,
  assurance: AssuranceLevels,
  codes: CodeLists,
): ReadonlySet<unknown> {
  const now = options.now ?? (() => new Date());
  const retentionDays = retentionDaysOf(SERVER_REGISTRY.retained, options.retentionDays);
  const notifier = new SyncNotifier();
  const streams = registerSyncRoutes(app, {
    db,
    registry: SERVER_REGISTRY,
    requireSession,
    ...(authenticate ? { authenticate } : {}),
    notifier,
    retentionDays,
    now,
    keepAliveMs: options.keepAliveMs ?? 25_000,
    coalesceMs: options.coalesceMs ?? 100,
    spreadMs: options.spreadMs ?? 400,
    metrics: { pushed: (status) => metrics.pushMutations.inc({ status }), sent: (event) => metrics.eventsSent.inc({ event }), pullStage: (stage, seconds) => metrics.pullStage.observe({ stage }, seconds) },
    streamsPerSession,
    assurance,
    codes,
  });

  let unlisten: (() => Promise<void>) | undefined;
  let unlistenPermissions: (() => Promise<void>) | undefined;
  let stopRetention: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    try {
      unlisten = await db.listen(
        SYNC_CHANNEL,
        (unitId) => notifier.publish([unitId]),
        () => notifier.publishAll(),
      );
    } catch (e) {
      app.log.warn({ err: e }, 'synk: LISTEN misslyckades; händelseströmmarna hör bara den här noden');
    }
    try {
      unlistenPermissions = await db.listen(PERMISSIONS_CHANNEL, (staffId) => {
        for (const stream of streams) if (stream.staffId === staffId) stream.rescope();
      });
    } catch (e) {
      app.log.warn({ err: e }, 'synk: LISTEN på behörighetsändringar misslyckades; omfånget kontrolleras bara vid varje keep-alive');
    }
    if (options.retentionIntervalMs !== false) {
      stopRetention = startRetentionJob({
        db,
        retained: SERVER_REGISTRY.retained,
        retentionDays,
        ...(options.retentionIntervalMs !== undefined ? { intervalMs: options.retentionIntervalMs } : {}),
        now,
        onPurged: (result) => {
          app.log.info({ deleted: result.deleted, units: result.unitIds.length }, 'records past retention purged');
          notifier.publish(result.unitIds);
        },
        alsoRun: async (at) => {
          const upkeep = await maintainAccessLog(db, at, options.accessLogRetentionMonths);
          if (upkeep.created > 0 || upkeep.dropped.length > 0) app.log.info({ created: upkeep.created, dropped: upkeep.dropped }, 'åtkomstloggens månadspartitioner: skapade och gallrade');
        },
        onError: (e) => app.log.error({ err: e }, 'gallringen misslyckades'),
      });
    }
  });
  app.addHook('preClose', async () => {
    for (const stream of [...streams]) stream.close();
  });
  app.addHook('onClose', async () => {
    await stopRetention?.();
    await unlisten?.().catch(() => undefined);
    await unlistenPermissions?.().catch(() => undefined);
  });
  return streams;
}

/** The access log as login writes it, counting each login's outcome for /metrics on the way. */
function countLogins(log: AccessLog, metrics: ServerMetrics): AccessLog {
  return {
    async record(event) {
      await log.record(event);
      if (event.action === 'login' || event.action === 'login_failed') metrics.logins.inc({ outcome: event.outcome === 'success' ? 'success' : (event.errorCode ?? 'failure') });
    },
  };
}

/** Dead sessions and nonces are deleted while the server runs (server/auth/purge.ts). */
function registerAuthPurge(app: FastifyInstance, db: Db, now: () => Date): void {
  let stop: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    stop = startAuthPurge({ db, now, onError: (e) => app.log.error({ err: e }, 'rensningen av inloggningsdata misslyckades') });
  });
  app.addHook('onClose', async () => {
    await stop?.();
  });
}

/** Without login nobody has a session. */
const noSession: preHandlerAsyncHookHandler = async (_request, reply) => {
  return reply.code(401).send(errorBody('UNAUTHENTICATED', 'No session: login is not available on this server'));
};

function registerDisabledAuthRoutes(app: FastifyInstance): void {
  registerOidcRoutes(app, { card: false, assurance: DEFAULT_ASSURANCE });
  for (const route of [...Object.values(authRoutes), officerRoutes.login, ...Object.values(passwordLoginRoutes)]) {
    app.post(route.path, { bodyLimit: EMPTY_BODY_LIMIT }, async (_request, reply) =>
      reply.code(503).send(errorBody('SERVER_ERROR', 'Login is disabled: the server has no trust anchors configured (TRUST_ANCHORS)')),
    );
  }
}
