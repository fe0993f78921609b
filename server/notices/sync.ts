import { defineServerKind } from '../sync/kind';
import { iso } from '../sync/records';

/**
 * Notices (anslagstavla) on the server (docs/messages.md; table of migration 0016): their feed
 * record. Workstations only read them; they are published through the API (routes.ts).
 */
const opt = (column: string) => `CASE WHEN ${column} IS NULL THEN NULL ELSE ${iso(column)} END`;

export const noticeJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'noticeId', ${t}.notice_id, 'unitId', ${t}.unit_id, 'title', ${t}.title, 'text', ${t}.text,
  'showFrom', ${iso(`${t}.show_from`)}, 'showUntil', ${iso(`${t}.show_until`)},
  'outageStart', ${opt(`${t}.outage_start`)}, 'outageEnd', ${opt(`${t}.outage_end`)},
  'publishedBy', ${t}.published_by_name, 'publishedAt', ${iso(`${t}.published_at`)})::text`;

export const noticesSync = defineServerKind({
  name: 'notice',
  // A withdrawn notice is a delete to whoever had it (migration 0032).
  feed: { table: 'notices', json: noticeJson, where: (t) => `${t}.withdrawn_at IS NULL` },
});
