/**
 * The municipal server from the command line (`npm run server`).
 *
 *   PORT          port to listen on; 0 (default) picks a free one
 *   HOST          address to listen on; default 127.0.0.1. Keep it on loopback: /api/v1/units
 *                 answers without login for now, so the server must not be reachable from the network.
 *   DATABASE_URL  a PostgreSQL server; without it, embedded PGlite in DATA_DIR (default .data/server)
 *   SEED=1        load the demo organisation when the database is empty
 *   LOG_LEVEL     pino level, default info
 *
 * Stdout carries exactly one line, `server listening on http://HOST:PORT`, for a parent process to
 * parse; logs (JSON lines) go to stderr.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { createServer } from './app';
import { readConfig } from './config';
import { migrate, openDb } from './db/index';
import { seedDemoData } from './seed/seed';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function main(): Promise<void> {
  const config = readConfig();
  const db = await openDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  const app = createServer({ db, version, logger: { stream: pino.destination(2), level: config.logLevel } });

  const applied = await migrate(db);
  app.log.info({ applied, database: db.kind }, 'migrations done');
  if (config.seed && (await seedDemoData(db))) app.log.info('demo data seeded');

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`server listening on http://${shownHost}:${port}\n`);

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
