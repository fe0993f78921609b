/**
 * The municipal server from the command line (`npm run server`).
 *
 *   PORT              port to listen on; 0 (default) picks a free one
 *   HOST              address to listen on; default 127.0.0.1 (put a TLS proxy in front for the network)
 *   DATABASE_URL      a PostgreSQL server; without it, embedded PGlite in DATA_DIR (default .data/server)
 *   MIGRATION_DATABASE_URL  the same database as the owner role: migrations run as it and grant
 *                     DATABASE_URL's role only what the server needs (server/db/roles.ts,
 *                     docs/security.md); without it DATABASE_URL's role migrates and owns the tables
 *   SEED=1            load the demo organisation when the database is empty
 *   LOG_LEVEL         pino level, default info
 *   TRUST_ANCHORS     comma-separated PEM files of the root CA(s) for card login (SITHS e-id Root CA v2);
 *                     without it the server runs with login disabled (auth routes answer 503)
 *   INTERMEDIATE_CAS  comma-separated PEM files of issuing CAs (SITHS e-id Person HSA-id 3 CA v1)
 *   REQUIRED_POLICIES comma-separated LoA3 certificate policy OIDs; required with TRUST_ANCHORS
 *   OCSP=on           check each login certificate's revocation at the OCSP responder of its AIA
 *                     extension; OCSP_URL asks that responder instead (and turns OCSP on);
 *                     OCSP_GRACE_MINUTES (default 240) is how old a cached good answer may be to stand
 *                     in for an unreachable responder, after which the login is refused (docs/login.md)
 *   PUBLIC_ORIGIN     the origin workstations sign for (https://omsorg.kommun.se); default the
 *                     listening URL's origin, http://HOST:PORT
 *   DAY_NOTE_RETENTION_DAYS  day notes older than this are deleted (hourly, and at start) and never
 *                     synced; default 90 (docs/sync.md)
 *   ANCHOR_FILE, ANCHOR_PUBLIC_KEY  the access log's signed checkpoints and their public key (as for
 *                     npm run verify-log): the administrator's integrity check compares with them
 *
 * Stdout carries exactly one line, `server listening on http://HOST:PORT`, for a parent process to
 * parse; logs (JSON lines) go to stderr.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { createServer, type ServerAuthOptions } from './app';
import { OcspClient } from './auth/ocsp';
import { readConfig } from './config';
import { migrate, openDb } from './db/index';
import { grantRuntimeRole, roleOfUrl } from './db/roles';
import { seedDemoData } from './seed/seed';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function main(): Promise<void> {
  const config = readConfig();
  const db = await openDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  let origin = config.publicOrigin;
  let auth: ServerAuthOptions | 'disabled' = 'disabled';
  if (config.auth) {
    const read = (paths: string[]) => Promise.all(paths.map((p) => readFile(p, 'utf8')));
    auth = {
      trust: {
        trustAnchorsPem: await read(config.auth.trustAnchorFiles),
        intermediatesPem: await read(config.auth.intermediateFiles),
        requiredPolicies: config.auth.requiredPolicies,
        ...(config.auth.ocsp ? { ocsp: new OcspClient({ ...config.auth.ocsp, log: (obj, msg) => app.log.warn(obj, msg) }) } : {}),
      },
      // Until listen() resolves nobody can log in anyway.
      expectedOrigin: () => origin ?? '',
    };
  }
  const app = createServer({
    db,
    version,
    logger: { stream: pino.destination(2), level: config.logLevel },
    auth,
    sync: { retentionDays: config.retentionDays },
    ...(config.anchor ? { anchor: config.anchor } : {}),
  });
  if (auth === 'disabled') app.log.warn('inloggning avstängd: TRUST_ANCHORS är inte satt, så /api/v1/auth/* svarar 503 och ingen session kan öppnas');

  if (config.migrationDatabaseUrl && config.databaseUrl) {
    const owner = await openDb({ databaseUrl: config.migrationDatabaseUrl });
    try {
      const applied = await migrate(owner);
      const role = roleOfUrl(config.databaseUrl);
      await grantRuntimeRole(owner, role);
      app.log.info({ applied, database: owner.kind, runtimeRole: role }, 'migrations done as the owner; runtime role granted');
      if (config.seed && (await seedDemoData(owner))) app.log.info('demo data seeded');
    } finally {
      await owner.close();
    }
  } else {
    const applied = await migrate(db);
    app.log.info({ applied, database: db.kind }, 'migrations done');
    if (db.kind === 'postgres') app.log.warn('MIGRATION_DATABASE_URL är inte satt: servern kör som den roll som äger tabellerna (docs/security.md)');
    if (config.seed && (await seedDemoData(db))) app.log.info('demo data seeded');
  }

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const listening = `http://${shownHost}:${port}`;
  origin ??= new URL(listening).origin;
  if (auth !== 'disabled') app.log.info({ origin, requiredPolicies: config.auth?.requiredPolicies, ocsp: config.auth?.ocsp ?? 'off' }, 'card login enabled');
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

main().catch((error: unknown) => {
  process.stderr.write(`server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
