import { MIGRATION_LOCK_KEY } from './migrate';
import type { Db } from './types';

/**
 * Two database roles (docs/security.md, "Compromised server role"): the owner, which runs the
 * migrations and owns every table, trigger and function (MIGRATION_DATABASE_URL), and the runtime
 * role the server works as (DATABASE_URL), which owns nothing, so it cannot ALTER, DROP or
 * DISABLE TRIGGER anything, and may not change or delete the records that are evidence: the
 * journal (only the erroneous-marking columns may be set, once, as the trigger allows), the
 * assignment history and the access log. Embedded PGlite has one user; these grants are for
 * PostgreSQL.
 */

/** Never changed or deleted by the server: append-only evidence (and each kind's `appendOnly`, handed in). */
const APPEND_ONLY: readonly string[] = [
  'access_log',
  'permission_events',
  'access_log_reviews',
  'access_log_review_findings',
  'security_incident_clients',
  'evidence_chain',
];
/** Granted and ended, never deleted (an ended grant is evidence; migration 0047 also keeps it from the owner); a YubiKey is revoked, never deleted (its public id is never enrolled again). */
const NO_DELETE: readonly string[] = ['permissions', 'role_grants', 'yubikeys'];
/** The owner's bookkeeping: the runtime role reads it (nothing else). */
const OWNER_ONLY = ['schema_migrations', 'access_log_retention'] as const;
/** The access log's partition upkeep (migration 0080), SECURITY DEFINER: the hourly job calls them as the runtime role. */
const RUNTIME_FUNCTIONS = ['access_log_ensure_partitions(timestamptz, timestamptz)', 'access_log_drop_expired(integer, timestamptz)'];
/** Felmarkera: the only journal columns the server may ever set. */
const JOURNAL_ERRONEOUS_COLUMNS = ['erroneous_at', 'erroneous_by_staff_id', 'erroneous_by_hsa_id', 'erroneous_by_name', 'erroneous_by_title', 'erroneous_reason'];

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Grants `role` exactly what the server needs, run by the owner after every migration (so tables
 * a migration adds are covered), under the migrations' advisory lock. Idempotent. `kinds`: the
 * server's synced kinds (server/kinds.ts, handed in), whose `appendOnly` evidence tables are
 * append-only too (journal entries, plan versions, messages, …).
 */
export async function grantRuntimeRole(owner: Db, role: string, kinds: readonly { name: string; appendOnly?: readonly string[] }[]): Promise<void> {
  if (!ROLE_NAME.test(role)) throw new Error(`runtime role: not a plain role name: ${role}`);
  const appendOnlyTables = [...APPEND_ONLY, ...kinds.flatMap((k) => k.appendOnly ?? [])];
  const q = (name: string) => `"${name}"`;
  await owner.transaction(async (tx) => {
    // Under the migrations' lock: two nodes granting at once would otherwise both rewrite the same
    // catalog rows and one fail ("tuple concurrently updated").
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    // Tables and partitioned tables, not their partitions (the access log's months, migration
    // 0080): the runtime role reaches a partition only through its parent's grants and triggers.
    const { rows } = await tx.query<{ tablename: string }>(
      `SELECT c.relname AS tablename FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
    );
    const tables = rows.map((r) => r.tablename);
    const mutable = tables.filter((t) => !appendOnlyTables.includes(t) && !(OWNER_ONLY as readonly string[]).includes(t));
    const appendOnly = tables.filter((t) => appendOnlyTables.includes(t));
    // Start from nothing, so a grant given by hand or by an older version does not linger.
    await tx.exec(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${q(role)}`);
    await tx.exec(`REVOKE CREATE ON SCHEMA public FROM ${q(role)}`);
    await tx.exec(`GRANT USAGE ON SCHEMA public TO ${q(role)}`);
    await tx.exec(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${q(role)}`);
    await tx.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${q(role)}`);
    const deletable = mutable.filter((t) => !NO_DELETE.includes(t));
    const kept = mutable.filter((t) => NO_DELETE.includes(t));
    if (deletable.length) await tx.exec(`GRANT INSERT, UPDATE, DELETE ON ${deletable.map(q).join(', ')} TO ${q(role)}`);
    if (kept.length) await tx.exec(`GRANT INSERT, UPDATE ON ${kept.map(q).join(', ')} TO ${q(role)}`);
    if (appendOnly.length) await tx.exec(`GRANT INSERT ON ${appendOnly.map(q).join(', ')} TO ${q(role)}`);
    if (tables.includes('access_log_retention')) for (const f of RUNTIME_FUNCTIONS) await tx.exec(`GRANT EXECUTE ON FUNCTION ${f} TO ${q(role)}`);
    if (tables.includes('journal_entries')) {
      await tx.exec(`GRANT UPDATE (${JOURNAL_ERRONEOUS_COLUMNS.join(', ')}) ON journal_entries TO ${q(role)}`);
    }
  });
}

/** The user name of a postgres:// URL (the runtime role of DATABASE_URL). */
export function roleOfUrl(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  if (!user) throw new Error('DATABASE_URL names no user: the runtime role must be explicit when MIGRATION_DATABASE_URL is set');
  return user;
}
