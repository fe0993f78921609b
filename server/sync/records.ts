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

const author = (prefix: string) =>
  `json_build_object('staffId', ${prefix}_staff_id, 'hsaId', ${prefix}_hsa_id, 'name', ${prefix}_name, 'title', ${prefix}_title)`;

/** ClientRecord. personnummer is char(12): trimmed, as the contract wants its 12 digits. */
export const CLIENT_JSON = `json_build_object(
  'id', id, 'unitId', unit_id, 'personnummer', rtrim(personnummer), 'givenName', given_name, 'familyName', family_name)::text`;

/** JournalEntryRecord; `erroneous` is null until the entry is marked erroneous. */
export const JOURNAL_JSON = `json_build_object(
  'id', id, 'clientId', client_id, 'unitId', unit_id, 'eventDate', to_char(event_date, 'YYYY-MM-DD'), 'text', text,
  'lifeArea', life_area, 'assignmentId', assignment_id, 'author', ${author('author')}, 'createdAt', ${iso('created_at')},
  'erroneous', CASE WHEN erroneous_at IS NULL THEN NULL ELSE json_build_object(
    'markedAt', ${iso('erroneous_at')}, 'markedBy', ${author('erroneous_by')}, 'reason', erroneous_reason) END,
  'correctsId', corrects_id)::text`;

/** DayNoteRecord. */
export const DAY_NOTE_JSON = `json_build_object(
  'id', id, 'unitId', unit_id, 'clientId', client_id, 'text', text, 'author', ${author('author')},
  'createdAt', ${iso('created_at')}, 'summarisedAt', CASE WHEN summarised_at IS NULL THEN NULL ELSE ${iso('summarised_at')} END)::text`;
