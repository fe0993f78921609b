/**
 * The synced records as the server stores them (server/migrations/0003_sync.sql) and as the
 * contract sends them (contract/sync.ts: ClientRecord, JournalEntryRecord, DayNoteRecord): one
 * place for the mapping, written as SQL that PostgreSQL turns into each record's JSON text.
 *
 * A pull page is thousands of records. Built by PostgreSQL (C) and passed through as text, a page
 * costs the server's event loop a string concatenation; parsed into JavaScript objects, mapped,
 * checked and serialised again it cost ~50 ms of the server's CPU a page (docs/sync.md). The
 * contract is still enforced: every workstation parses each page with the contract's schema, and
 * the server's tests parse every page they pull with it too.
 */

/** timestamptz → the contract's ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes it. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const author = (t: string, prefix: string) =>
  `json_build_object('staffId', ${t}.${prefix}_staff_id, 'hsaId', ${t}.${prefix}_hsa_id, 'name', ${t}.${prefix}_name, 'title', ${t}.${prefix}_title)`;

/** ClientRecord of the `clients` row aliased `t`. personnummer is char(12): trimmed, as the contract wants its 12 digits. */
export const clientJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'unitId', ${t}.unit_id, 'personnummer', rtrim(${t}.personnummer), 'givenName', ${t}.given_name, 'familyName', ${t}.family_name)::text`;

/** JournalEntryRecord of the `journal_entries` row aliased `t`; `erroneous` is null until the entry is marked erroneous. */
export const journalJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'clientId', ${t}.client_id, 'unitId', ${t}.unit_id, 'eventDate', to_char(${t}.event_date, 'YYYY-MM-DD'), 'text', ${t}.text,
  'lifeArea', ${t}.life_area, 'assignmentId', ${t}.assignment_id, 'author', ${author(t, 'author')}, 'createdAt', ${iso(`${t}.created_at`)},
  'erroneous', CASE WHEN ${t}.erroneous_at IS NULL THEN NULL ELSE json_build_object(
    'markedAt', ${iso(`${t}.erroneous_at`)}, 'markedBy', ${author(t, 'erroneous_by')}, 'reason', ${t}.erroneous_reason) END,
  'correctsId', ${t}.corrects_id)::text`;

/** DayNoteRecord of the `day_notes` row aliased `t`. */
export const dayNoteJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'unitId', ${t}.unit_id, 'clientId', ${t}.client_id, 'text', ${t}.text, 'author', ${author(t, 'author')},
  'createdAt', ${iso(`${t}.created_at`)}, 'summarisedAt', CASE WHEN ${t}.summarised_at IS NULL THEN NULL ELSE ${iso(`${t}.summarised_at`)} END)::text`;
