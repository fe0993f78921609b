/**
 * The one thing the SQL stores need: `$1` placeholders, rows back. Structurally the same as the
 * server's `Queryable` (server/db/types.ts), PGlite and node-postgres, so any of them fits.
 */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
}
