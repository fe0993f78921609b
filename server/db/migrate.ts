import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Db } from './types';

/**
 * Versioned schema migrations: `server/migrations/NNNN_name.sql`, applied in order, each in its own
 * transaction together with its row in `schema_migrations`. Re-running applies only what is new.
 * An advisory lock serialises nodes that start at the same time against one database.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const DEFAULT_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Arbitrary, fixed key of the advisory lock taken while migrating. */
const LOCK_KEY = 7_340_101;

export async function loadMigrations(dir: string = DEFAULT_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const m = FILE_NAME.exec(file);
    if (!m) throw new Error(`Migration file name must be NNNN_name.sql: ${file}`);
    const version = Number(m[1]);
    if (migrations.some((x) => x.version === version)) throw new Error(`Duplicate migration version ${version}`);
    migrations.push({ version, name: m[2]!, sql: await readFile(join(dir, file), 'utf8') });
  }
  return migrations;
}

/** Applies pending migrations; returns the versions applied by this call (empty when up to date). */
export async function migrate(db: Db, options: { dir?: string; migrations?: Migration[] } = {}): Promise<number[]> {
  const migrations = options.migrations ?? (await loadMigrations(options.dir));
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });

  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const { rows } = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (rows.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** Versions recorded in `schema_migrations`, ascending. */
export async function appliedVersions(db: Db): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((r) => r.version);
}
