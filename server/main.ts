/**
 * The municipal server from the command line: `npm run server` here, `node main.js` in the built
 * artifact (`npm run build:server`, docs/operations.md).
 *
 *   node main.js [serve] [--embedded]   migrate (unless MIGRATE_ON_START=0), then serve
 *   node main.js migrate                 migrate (and grant the runtime role, and seed with SEED=1), then exit
 *
 *   PORT              port to listen on; 0 (default) picks a free one
 *   HOST              address to listen on; default 127.0.0.1 (put a TLS proxy in front for the network)
 *   DATABASE_URL      the PostgreSQL server (required, unless EMBEDDED=1 or --embedded: embedded PGlite
 *                     in DATA_DIR, default .data/server, for one machine; npm start does that)
 *   DATABASE_POOL_SIZE, DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_IDLE_TIMEOUT_MS,
 *   DATABASE_PREPARED_STATEMENTS
 *                     the request pool (server/config.ts, docs/operations.md)
 *   DATABASE_LISTEN_URL  where LISTEN connects when DATABASE_URL is a transaction-mode PgBouncer:
 *                     PostgreSQL itself (default DATABASE_URL)
 *   MIGRATE_ON_START=0  do not migrate at start (run `migrate` first); the server refuses to start
 *                     on a database that is behind
 *   MIGRATION_DATABASE_URL  the same database as the owner role: migrations run as it and grant
 *                     DATABASE_URL's role only what the server needs (server/db/roles.ts,
 *                     docs/security.md); without it DATABASE_URL's role migrates and owns the tables
 *   SEED=1            load the demo organisation when the database is empty
 *   LOG_LEVEL         pino level, default info
 *   TRUST_ANCHORS     comma-separated PEM files of the root CA(s) for card login (SITHS e-id Root CA v2);
 *                     without it the server runs with login disabled (auth routes answer 503)
 *   INTERMEDIATE_CAS  comma-separated PEM files of issuing CAs (SITHS e-id Person HSA-id 3 CA v1)
 *   REQUIRED_POLICIES comma-separated LoA3 certificate policy OIDs; required with TRUST_ANCHORS
 *   OIDC_ISSUER       login through the organisation's identity provider beside the card (issue 29):
 *                     with OIDC_CLIENT_ID, OIDC_CLIENT_SECRET(_FILE), OIDC_NAME, OIDC_HSA_ID_CLAIM
 *                     (default employeeHsaId), OIDC_ACR_LOA, OIDC_MIN_LOA (server/config.ts readOidc)
 *   LOA_LEVELS        the assurance level each function needs, e.g. messages=3 (server/auth/assurance.ts;
 *                     client_data never below 3)
 *   OCSP=on           check each login certificate's revocation at the OCSP responder of its AIA
 *                     extension; OCSP_URL asks that responder instead (and turns OCSP on);
 *                     OCSP_GRACE_MINUTES (default 240) is how old a cached good answer may be to stand
 *                     in for an unreachable responder, after which the login is refused (docs/login.md)
 *   PUBLIC_ORIGIN     the origin workstations sign for (https://omsorg.kommun.se); default the
 *                     listening URL's origin, http://HOST:PORT
 *   DAY_NOTE_RETENTION_DAYS  day notes older than this are deleted (hourly across all nodes, server/db/schedule.ts) and never
 *                     synced; default 90 (docs/sync.md)
 *   ACCESS_LOG_RETENTION_MONTHS  months of the access log kept (at least 60: five years); older month
 *                     partitions are dropped hourly, once across nodes (server/audit/partitions.ts); default: kept for ever
 *   ANCHOR_FILE, ANCHOR_PUBLIC_KEY  the access log's signed checkpoints and their public key (as for
 *                     npm run verify-log): the administrator's integrity check compares with them
 *   TRUSTED_PROXIES   comma-separated addresses or CIDR ranges of the TLS proxies in front: only their
 *                     X-Forwarded-For gives the client address (rate limits, connection counts); default
 *                     none (TRUST_PROXY is read as the same setting)
 *   KSI_LIST_FILE     Socialstyrelsen's KSI list as IT saves it from the Excel file (CSV UTF-8): the codes
 *                     plan activities may carry (docs/operations.md); without it an example list, not
 *                     Socialstyrelsen's; a file that does not parse stops the server, naming the line
 *   SYNC_EVENT_SPREAD_MS  `changed` for a write reaches each event stream within 100 ms plus a random
 *                     delay up to this (default 400), so a unit's workstations do not all pull at once
 *   HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS, HTTP_IDLE_TIMEOUT_MS,
 *   HTTP_CONNECTIONS_PER_ADDRESS, HTTP_MAX_CONNECTIONS, EVENT_STREAMS_PER_SESSION  bounds on slow and
 *                     many connections (server/config.ts readHttpLimits, docs/security.md)
 *
 * Stdout carries exactly one line, `server listening on http://HOST:PORT`, for a parent process to
 * parse; logs (JSON lines) go to stderr.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { ksiListSource } from '#contract';
import { createServer, type ServerAuthOptions } from './app';
import { OcspClient } from './auth/ocsp';
import { readConfig, type ServerConfig } from './config';
import { openPglite, openPostgres, type Db } from './db/index';
import { pendingMigrations } from './db/migrate';
import type { DbEvents } from './db/types';
import { createMetrics } from './http/metrics';
import { createLogger } from './logging';
import { prepareDatabase } from './startup';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Log = ReturnType<typeof createLogger>;

/** The request database: PostgreSQL with the configured pool (its loss and return logged), or embedded PGlite. */
function openServerDb(config: ServerConfig, events: DbEvents): Promise<Db> {
  if (!config.databaseUrl) return openPglite({ dataDir: config.dataDir });
  return openPostgres({
    connectionString: config.databaseUrl,
    maxConnections: config.pool.max,
    connectTimeoutMs: config.pool.connectTimeoutMs,
    statementTimeoutMs: config.pool.statementTimeoutMs,
    idleTimeoutMs: config.pool.idleTimeoutMs,
    preparedStatements: config.pool.preparedStatements,
    ...(config.listenUrl ? { listenUrl: config.listenUrl } : {}),
    events,
  });
}

/** `migrate`: bring the database to this version and exit (run it before starting new nodes, docs/operations.md). */
async function migrateCommand(config: ServerConfig, log: Log): Promise<void> {
  const db = await openServerDb(config, {});
  try {
    await prepareDatabase(config, db, log);
  } finally {
    await db.close();
  }
  process.stdout.write('migrations done\n');
}

async function serve(config: ServerConfig, log: Log): Promise<void> {
  const metrics = createMetrics({ processMetrics: true });
  const db = await openServerDb(config, {
    lost: () => {
      metrics.databaseLost.inc();
      log.error('database connection lost: PostgreSQL is unreachable; requests fail until it is back');
    },
    regained: (downMs) => log.warn({ downMs }, 'database connection regained'),
    poolWait: (seconds) => metrics.poolWait.observe(seconds),
  });
  let origin = config.publicOrigin;
  let auth: ServerAuthOptions | 'disabled' = 'disabled';
  if (config.auth) {
    const read = (paths: string[]) => Promise.all(paths.map((p) => readFile(p, 'utf8')));
    auth = {
      trust: {
        trustAnchorsPem: await read(config.auth.trustAnchorFiles),
        intermediatesPem: await read(config.auth.intermediateFiles),
        requiredPolicies: config.auth.requiredPolicies,
        policyProcessing: config.auth.policyProcessing,
        ...(config.auth.ocsp ? { ocsp: new OcspClient({ ...config.auth.ocsp, log: (obj, msg) => app.log.warn(obj, msg) }) } : {}),
      },
      // Until listen() resolves nobody can log in anyway.
      expectedOrigin: () => origin ?? '',
      ...(config.oidc ? { oidc: config.oidc } : {}),
      assurance: config.assurance,
      passwordLogin: config.passwordLogin,
    };
  }
  const app = createServer({
    db,
    version,
    logger: { stream: pino.destination(2), level: config.logLevel },
    auth,
    sync: { retentionDays: config.retentionDays, spreadMs: config.eventSpreadMs, ...(config.accessLogRetentionMonths ? { accessLogRetentionMonths: config.accessLogRetentionMonths } : {}) },
    metrics,
    ...(config.anchor ? { anchor: config.anchor } : {}),
    httpLimits: config.httpLimits,
    trustedProxies: config.trustedProxies,
    ksi: config.ksi,
  });
  if (config.ksi.source === 'example') app.log.warn(`${ksiListSource(config.ksi)}: sätt KSI_LIST_FILE till Socialstyrelsens KSI-lista (docs/operations.md)`);
  else app.log.info({ file: config.ksi.fileName, codes: config.ksi.entries.length }, ksiListSource(config.ksi));
  if (config.trustedProxies.length > 0) app.log.info({ trustedProxies: config.trustedProxies }, 'client addresses from X-Forwarded-For of these proxies only');
  if (auth === 'disabled') app.log.warn('inloggning avstängd: TRUST_ANCHORS är inte satt, så /api/v1/auth/* svarar 503 och ingen session kan öppnas');

  if (config.migrateOnStart) await prepareDatabase(config, db, log);
  else {
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      throw new Error(`the database lacks ${pending.length} migration(s) of this version (first ${pending[0]!.version}_${pending[0]!.name}): run \`node main.js migrate\` (npm run server -- migrate) first`);
    }
  }

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const listening = `http://${shownHost}:${port}`;
  origin ??= new URL(listening).origin;
  if (auth !== 'disabled') app.log.info({ origin, requiredPolicies: config.auth?.requiredPolicies, policyProcessing: config.auth?.policyProcessing, ocsp: config.auth?.ocsp ?? 'off' }, 'card login enabled');
  if (auth !== 'disabled' && !config.auth?.ocsp) app.log.warn('OCSP är avstängt: återkallade inloggningscertifikat godtas tills de går ut (sätt OCSP=on i produktion, docs/login.md)');
  // For `npm run officer` (tools/officer.ts): where the embedded server listens (PGlite data folder only).
  if (!config.databaseUrl) await writeFile(path.join(config.dataDir, 'server-url'), `${listening}\n`).catch(() => undefined);
  process.stdout.write(`server listening on ${listening}\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    void app
      .close()
      .then(() => db.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

const COMMANDS = ['serve', 'migrate'] as const;

async function main(argv: string[]): Promise<void> {
  const words = argv.filter((a) => !a.startsWith('--'));
  const unknownFlag = argv.find((a) => a.startsWith('--') && a !== '--embedded');
  if (unknownFlag) throw new Error(`unknown option ${unknownFlag} (known: --embedded)`);
  const command = words[0] ?? 'serve';
  if (words.length > 1 || !(COMMANDS as readonly string[]).includes(command)) throw new Error(`usage: main.js [serve|migrate] [--embedded], got ${argv.join(' ')}`);
  const config = readConfig(process.env, { embedded: argv.includes('--embedded') });
  const log = createLogger({ stream: pino.destination(2), level: config.logLevel });
  if (command === 'migrate') await migrateCommand(config, log);
  else await serve(config, log);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
