import type { Logger } from 'pino';
import type { ServerConfig } from './config';
import { migrate, openDb, type Db } from './db/index';
import { grantRuntimeRole, roleOfUrl } from './db/roles';
import { seedDemoData } from './demo';
import { SERVER_KINDS } from './kinds';

/**
 * Migrations, the runtime role's grants and the demo seed: as the owner (MIGRATION_DATABASE_URL)
 * when it is set, else on `db` itself. Every step waits for the others' advisory lock, so nodes
 * that start together all succeed.
 */
export async function prepareDatabase(
  config: Pick<ServerConfig, 'databaseUrl' | 'migrationDatabaseUrl' | 'seed'>,
  db: Db,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<void> {
  if (config.migrationDatabaseUrl && config.databaseUrl) {
    const owner = await openDb({ databaseUrl: config.migrationDatabaseUrl });
    try {
      const applied = await migrate(owner);
      const role = roleOfUrl(config.databaseUrl);
      await grantRuntimeRole(owner, role, SERVER_KINDS);
      log.info({ applied, database: owner.kind, runtimeRole: role }, 'migrations done as the owner; runtime role granted');
      if (config.seed && (await seedDemoData(owner))) log.info('demo data seeded');
    } finally {
      await owner.close();
    }
  } else {
    const applied = await migrate(db);
    log.info({ applied, database: db.kind }, 'migrations done');
    if (db.kind === 'postgres') log.warn('MIGRATION_DATABASE_URL is not set: the server runs as the role that owns the tables (docs/security.md)');
    if (config.seed && (await seedDemoData(db))) log.info('demo data seeded');
  }
}
