import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './types';

/**
 * Versioned schema migrations: `server/migrations/NNNN_name.sql` and a feature's own folder
 * (`server/<feature>/migrations/`, found by its place, as scripts/build-server.ts copies them), one
 * sequence of versions, applied in order, each in its own transaction together with its row in
 * `schema_migrations`. Re-running applies only what is new. An advisory lock serialises nodes that
 * start at the same time against one database.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const SERVER_DIR = fileURLToPath(new URL('../', import.meta.url));
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/**
 * Arbitrary, fixed key of the advisory lock taken while migrating, granting the runtime role
 * (server/db/roles.ts) and seeding: what changes the schema or fills an empty database runs one
 * node at a time, so nodes started together on an empty database all succeed.
 */
export const MIGRATION_LOCK_KEY = 7_340_101;
const LOCK_KEY = MIGRATION_LOCK_KEY;

/** server/migrations/ and every `server/<feature>/migrations/`. */
async function migrationDirs(): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of await readdir(SERVER_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name === 'migrations') dirs.push(join(SERVER_DIR, entry.name));
    else if ((await readdir(join(SERVER_DIR, entry.name), { withFileTypes: true })).some((e) => e.isDirectory() && e.name === 'migrations')) dirs.push(join(SERVER_DIR, entry.name, 'migrations'));
  }
  return dirs;
}

/** The migrations of `dir`, or (without one) of server/migrations/ and every feature's own folder. */
export async function loadMigrations(dir?: string): Promise<Migration[]> {
  const dirs = dir !== undefined ? [dir] : await migrationDirs();
  const files = (await Promise.all(dirs.map(async (d) => (await readdir(d)).filter((f) => f.endsWith('.sql')).map((f) => ({ d, f })))))
    .flat()
    .sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0));
  const migrations: Migration[] = [];
  for (const { d, f: file } of files) {
    const m = FILE_NAME.exec(file);
    if (!m) throw new Error(`Migration file name must be NNNN_name.sql: ${file}`);
    const version = Number(m[1]);
    if (migrations.some((x) => x.version === version)) throw new Error(`Duplicate migration version ${version}`);
    migrations.push({ version, name: m[2]!, sql: await readFile(join(d, file), 'utf8') });
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

/** What `migrate` would apply now (none: the database is current for this server). */
export async function pendingMigrations(db: Db, migrations?: Migration[]): Promise<Migration[]> {
  const all = migrations ?? (await loadMigrations());
  const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present`);
  const done = new Set(rows[0]?.present ? await appliedVersions(db) : []);
  return all.filter((m) => !done.has(m.version));
}

/** Versions recorded in `schema_migrations`, ascending. */
export async function appliedVersions(db: Db): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((r) => r.version);
}
