import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { Db } from './types';

export type { Db, DbKind, Queryable, QueryResult } from './types';
export { openPglite } from './pglite';
export { openPostgres } from './postgres';
export { migrate } from './migrate';

/** `databaseUrl` → a PostgreSQL server; otherwise embedded PGlite in `dataDir` (in memory without). */
export function openDb(options: { databaseUrl?: string; dataDir?: string }): Promise<Db> {
  if (options.databaseUrl) return openPostgres({ connectionString: options.databaseUrl });
  return openPglite(options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
}
