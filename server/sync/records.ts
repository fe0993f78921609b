/**
 * The synced records as the server stores them (server/migrations/0003_sync.sql) and as the
 * contract sends them: each kind's mapping (its `feed.json`, e.g. server/journal/sync.ts) is SQL
 * that PostgreSQL turns into the record's JSON text; these are the pieces they share.
 *
 * A pull page is thousands of records. Built by PostgreSQL (C) and passed through as text, a page
 * costs the server's event loop a string concatenation; parsed into JavaScript objects, mapped,
 * checked and serialised again it cost ~50 ms of the server's CPU a page (docs/sync.md). The
 * contract is still enforced: every workstation parses each page with the contract's schema, and
 * the server's tests parse every page they pull with it too.
 */

/** timestamptz → the contract's ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes it. */
export const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The contract's Author of the row aliased `t`, from its `<prefix>_staff_id`, `_hsa_id`, `_name` and `_title` columns. */
export const authorJson = (t: string, prefix: string) =>
  `json_build_object('staffId', ${t}.${prefix}_staff_id, 'hsaId', ${t}.${prefix}_hsa_id, 'name', ${t}.${prefix}_name, 'title', ${t}.${prefix}_title)`;
