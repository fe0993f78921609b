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

/*
 * A record's JSON as text by concatenation, for the kinds with the most records (journal entries,
 * day notes): PostgreSQL builds it ~2.5× cheaper than json_build_object(…)::text (50k objects of
 * four fields: 190 against 490 ms of CPU beyond reading the rows), and a page's records are most
 * of a pull's database CPU (bench sync: `db_cpu_per_pull_ms`). Every part is JSON text, never NULL.
 */

/** Any value as JSON text (to_json escapes a string as JSON does); NULL is `null`. */
export const jsonValue = (expr: string) => `coalesce(to_json(${expr})::text, 'null')`;

/** A value whose text needs no escaping (a uuid, an iso() time, a YYYY-MM-DD date) as a JSON string; NULL is `null`. */
export const jsonPlain = (expr: string) => `coalesce('"' || ${expr} || '"', 'null')`;

/** A JSON object as text from `key → SQL giving JSON text` (keys are fixed identifiers, never input). */
export const objectText = (fields: Record<string, string>) =>
  `('{' || ${Object.entries(fields)
    .map(([key, value], i) => `'${i > 0 ? ',' : ''}"${key}":' || ${value}`)
    .join(' || ')} || '}')`;

/** authorJson as text (objectText). */
export const authorText = (t: string, prefix: string) =>
  objectText({
    staffId: jsonPlain(`${t}.${prefix}_staff_id`),
    hsaId: jsonValue(`${t}.${prefix}_hsa_id`),
    name: jsonValue(`${t}.${prefix}_name`),
    title: jsonValue(`${t}.${prefix}_title`),
  });
