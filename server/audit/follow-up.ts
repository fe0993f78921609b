import { z } from 'zod';
import { LOG_SAMPLE_DAYS, LogSearch, LOGGED_ACTION_LABELS_SV, recordTypeSv, swedishDate, swedishDateTimeSeconds, type Finding, type LogRow, type LogSearchResponse, type NewReview, type Review } from '#contract';
import type { Queryable } from '../db/types';

/**
 * Access-log follow-up in SQL (logguppföljning, docs/administration.md): targeted search, random
 * samples of reads, and reviews. Everything is confined to the administrator's reach (`LogReach`,
 * her it_contact roles in force; issue 25): a row about a client is hers when the client's unit at
 * the time (`access_log.unit_id`) is in her reach; a row about no client (a login, say) when its
 * actor is of her organisation and — for an administrator of some units — holds or held a
 * permission or role on one of them. A client of another organisation, or of a unit outside her
 * role, is never in an answer, whoever read it.
 */
export type Search = z.output<typeof LogSearch>;

/** The organisation and — for an administrator of some units only — those units (null: all of the organisation's). */
export interface LogReach {
  organisationId: string;
  units: string[] | null;
}

interface Row {
  id: string;
  at: Date | string;
  action: LogRow['action'];
  outcome: LogRow['outcome'];
  error_code: string | null;
  actor_hsa_id: string | null;
  actor_name: string | null;
  client_id: string | null;
  personnummer: string | null;
  client_name: string | null;
  unit_name: string | null;
  record_type: string | null;
  workstation: string | null;
}

const SELECT = `
  SELECT a.id::text AS id, a.at, a.action, a.outcome, a.error_code, a.actor_hsa_id,
         s.given_name || ' ' || s.family_name AS actor_name,
         c.id AS client_id, c.personnummer, c.given_name || ' ' || c.family_name AS client_name,
         u.name AS unit_name, a.record_type, a.workstation
    FROM access_log a
    LEFT JOIN staff s ON s.id = a.actor_staff_id
    LEFT JOIN clients c ON c.id = a.client_id
    LEFT JOIN units u ON u.id = a.unit_id`;
/** The rows in reach: $1 the organisation, $2 the units of a unit-scoped administrator (null: all of them). */
const IN_REACH = `(CASE WHEN a.unit_id IS NOT NULL THEN u.organisation_id = $1 AND ($2::uuid[] IS NULL OR a.unit_id = ANY($2::uuid[]))
  ELSE s.organisation_id = $1 AND ($2::uuid[] IS NULL
    OR EXISTS (SELECT 1 FROM permissions rp WHERE rp.staff_id = a.actor_staff_id AND rp.unit_id = ANY($2::uuid[]))
    OR EXISTS (SELECT 1 FROM role_grants rg WHERE rg.staff_id = a.actor_staff_id AND rg.unit_id = ANY($2::uuid[]))) END)`;
const reachParams = (reach: LogReach): unknown[] => [reach.organisationId, reach.units];

const toRow = (r: Row): LogRow => ({
  id: r.id,
  at: new Date(r.at).toISOString(),
  action: r.action,
  outcome: r.outcome,
  errorCode: r.error_code,
  actorHsaId: r.actor_hsa_id,
  actorName: r.actor_name,
  client: r.client_id ? { id: r.client_id, personnummer: r.personnummer!, name: r.client_name! } : null,
  unitName: r.unit_name,
  recordType: r.record_type,
  workstation: r.workstation,
});

/** Midnight of a Swedish calendar day as a timestamptz expression. */
const swedishMidnight = (param: string) => `(${param}::date::timestamp AT TIME ZONE 'Europe/Stockholm')`;

/**
 * One page of the search, newest first. Only the criteria given become conditions, so each
 * search is planned on its own index (actor, client, action, or time). `clientId` is the client
 * the personnummer names in the organisation (null: none, so nothing matches).
 */
export async function searchLog(db: Queryable, reach: LogReach, q: Search, resolved: { actorStaffId?: string | null; clientId?: string | null }): Promise<LogSearchResponse> {
  if (resolved.actorStaffId === null || resolved.clientId === null) return { rows: [], next: null };
  const params: unknown[] = reachParams(reach);
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [IN_REACH];
  if (resolved.actorStaffId) where.push(`a.actor_staff_id = ${p(resolved.actorStaffId)}::uuid`);
  if (resolved.clientId) where.push(`a.client_id = ${p(resolved.clientId)}::uuid`);
  // The unit at the time of the event (set at insert, migration 0018), on its own indexes.
  if (q.unitId) where.push(`a.unit_id = ${p(q.unitId)}::uuid`);
  if (q.from) where.push(`a.at >= ${swedishMidnight(p(q.from))}`);
  if (q.to) where.push(`a.at < ${swedishMidnight(p(q.to))} + interval '1 day'`);
  // One action as an equality: the (action, at) index then yields rows newest first (ANY would not).
  if (q.actions?.length === 1) where.push(`a.action = ${p(q.actions[0])}`);
  else if (q.actions?.length) where.push(`a.action = ANY(${p(q.actions)}::text[])`);
  if (q.after) {
    const [ms, id] = q.after.split(':') as [string, string];
    where.push(`(a.at, a.id) < (${p(new Date(Number(ms)))}::timestamptz, ${p(id)}::bigint)`);
  }
  const { rows } = await db.query<Row>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.at DESC, a.id DESC LIMIT ${p(q.limit + 1)}`, params);
  const page = rows.slice(0, q.limit).map(toRow);
  const last = rows.length > q.limit ? page.at(-1)! : null;
  return { rows: page, next: last ? `${new Date(last.at).getTime()}:${last.id}` : null };
}

/**
 * `size` random reads of the organisation's clients from the last 30 days. Row ids grow with
 * time, so the window is an id range; ids drawn uniformly from it (a few rounds, more than asked
 * for) keep the reads among them: a uniform sample of the window's reads without sorting it.
 */
export async function sampleReads(db: Queryable, reach: LogReach, size: number, now: Date): Promise<LogRow[]> {
  const since = new Date(now.getTime() - LOG_SAMPLE_DAYS * 86_400_000);
  const { rows: range } = await db.query<{ lo: string | null; hi: string | null }>(
    `SELECT (SELECT id FROM access_log WHERE at >= $1 ORDER BY at, id LIMIT 1)::text AS lo,
            (SELECT id FROM access_log WHERE at <= $2 ORDER BY at DESC, id DESC LIMIT 1)::text AS hi`,
    [since, now],
  );
  const lo = range[0]?.lo;
  const hi = range[0]?.hi;
  if (!lo || !hi) return [];
  const found = new Map<string, LogRow>();
  for (let round = 0; round < 6 && found.size < size; round++) {
    const { rows } = await db.query<Row>(
      `${SELECT}
        WHERE a.id IN (SELECT ($3::bigint + floor(random() * ($4::bigint - $3::bigint + 1)))::bigint FROM generate_series(1, $5))
          AND a.action = 'read' AND a.at >= $6 AND ${IN_REACH}`,
      [...reachParams(reach), lo, hi, Math.min(50_000, size * 20 * 2 ** round), since],
    );
    for (const r of rows) if (found.size < size) found.set(r.id, toRow(r));
  }
  if (found.size < size) {
    // Few reads in a big window: take them from the reads themselves.
    const { rows } = await db.query<Row>(`${SELECT} WHERE a.action = 'read' AND a.at >= $3 AND ${IN_REACH} ORDER BY random() LIMIT $4`, [...reachParams(reach), since, size]);
    for (const r of rows) if (found.size < size) found.set(r.id, toRow(r));
  }
  return [...found.values()].sort((a, b) => (a.at < b.at ? 1 : -1));
}

/** Rows in reach by id (a review's findings). */
export async function rowsById(db: Queryable, reach: LogReach, ids: readonly string[]): Promise<Map<string, LogRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<Row>(`${SELECT} WHERE a.id = ANY($3::bigint[]) AND ${IN_REACH}`, [...reachParams(reach), ids]);
  return new Map(rows.map((r) => [r.id, toRow(r)]));
}

/** A readable account of what was followed up, in Swedish (no personnummer: the client by name). */
export function describeCriteria(review: { kind: 'search' | 'sample'; search?: Search | undefined; sampleSize?: number | undefined }, names: { actor?: string; client?: string; unit?: string }): string {
  if (review.kind === 'sample') return `Stickprov: ${review.sampleSize} slumpvisa läsningar de senaste ${LOG_SAMPLE_DAYS} dagarna`;
  const q = review.search!;
  const parts = [
    names.actor ? `användare ${names.actor}` : null,
    names.client ? `brukare ${names.client}` : null,
    names.unit ? `enhet ${names.unit}` : null,
    q.from || q.to ? `period ${q.from ?? '…'}–${q.to ?? '…'}` : null,
    q.actions?.length ? `händelser ${q.actions.map((a) => LOGGED_ACTION_LABELS_SV[a].toLowerCase()).join(', ')}` : null,
  ].filter((x): x is string => x !== null);
  return `Sökning: ${parts.length ? parts.join('; ') : 'hela loggen'}`;
}

export interface Reviewer extends LogReach {
  id: string;
  name: string;
}

/** Stores a review and its findings (every finding's row must be one of the organisation's). */
export async function insertReview(
  tx: Queryable,
  reviewer: Reviewer,
  review: { kind: 'search' | 'sample'; query: unknown; criteria: string; summary: string; findings: Finding[] },
  now: Date,
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO access_log_reviews (organisation_id, reviewer_staff_id, reviewer_name, kind, criteria, query, summary, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING id`,
    [reviewer.organisationId, reviewer.id, reviewer.name, review.kind, review.criteria, JSON.stringify(review.query), review.summary, now],
  );
  const id = rows[0]!.id;
  await tx.query(
    `INSERT INTO access_log_review_findings (review_id, log_id, verdict, comment)
     SELECT $1, f.log_id, f.verdict, f.comment FROM unnest($2::bigint[], $3::text[], $4::text[]) AS f(log_id, verdict, comment)`,
    [id, review.findings.map((f) => f.logId), review.findings.map((f) => f.verdict), review.findings.map((f) => f.comment)],
  );
  return id;
}

interface ReviewRow {
  id: string;
  created_at: Date | string;
  reviewer_name: string;
  kind: 'search' | 'sample';
  criteria: string;
  summary: string;
  findings: number;
  to_investigate: number;
}

/**
 * The reviews she may read: all of the organisation's for an administrator of the whole
 * organisation; her own for an administrator of some units (a review's criteria and findings may
 * name clients of other units).
 */
const REVIEW_IN_REACH = '(r.organisation_id = $1 AND ($2::uuid[] IS NULL OR r.reviewer_staff_id = $3))';

export async function listReviews(db: Queryable, reviewer: Reviewer) {
  const { rows } = await db.query<ReviewRow>(
    `SELECT r.id, r.created_at, r.reviewer_name, r.kind, r.criteria, r.summary,
            (SELECT count(*)::int FROM access_log_review_findings f WHERE f.review_id = r.id) AS findings,
            (SELECT count(*)::int FROM access_log_review_findings f WHERE f.review_id = r.id AND f.verdict = 'investigate') AS to_investigate
       FROM access_log_reviews r WHERE ${REVIEW_IN_REACH} ORDER BY r.created_at DESC LIMIT 500`,
    [...reachParams(reviewer), reviewer.id],
  );
  return rows.map((r) => ({ ...reviewHead(r), findings: r.findings, toInvestigate: r.to_investigate }));
}

const reviewHead = (r: ReviewRow) => ({
  id: r.id,
  at: new Date(r.created_at).toISOString(),
  reviewer: r.reviewer_name,
  kind: r.kind,
  criteria: r.criteria,
  summary: r.summary,
});

export async function readReview(db: Queryable, reviewer: Reviewer, id: string): Promise<Review | null> {
  const { rows } = await db.query<ReviewRow>(
    `SELECT r.id, r.created_at, r.reviewer_name, r.kind, r.criteria, r.summary, 0 AS findings, 0 AS to_investigate FROM access_log_reviews r WHERE ${REVIEW_IN_REACH} AND r.id = $4::uuid`,
    [...reachParams(reviewer), reviewer.id, id],
  );
  const r = rows[0];
  if (!r) return null;
  const { rows: findings } = await db.query<{ log_id: string; verdict: Finding['verdict']; comment: string }>(
    'SELECT log_id::text AS log_id, verdict, comment FROM access_log_review_findings WHERE review_id = $1 ORDER BY log_id DESC',
    [id],
  );
  const logRows = await rowsById(db, reviewer, findings.map((f) => f.log_id));
  return {
    ...reviewHead(r),
    findings: findings.map((f) => ({ logId: f.log_id, verdict: f.verdict, comment: f.comment, row: logRows.get(f.log_id) ?? null })),
  };
}

/** CSV (RFC 4180, `;` as Swedish spreadsheets expect, UTF-8 with BOM) of search rows. */
export function logCsv(rows: readonly LogRow[]): string {
  const cell = (v: string | null) => {
    const t = v ?? '';
    // A leading = + - @ would be read as a formula by a spreadsheet: quote it away.
    const safe = /^[=+\-@]/.test(t) ? `'${t}` : t;
    return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  // Times in Swedish time (Europe/Stockholm, to the second), record types by their Swedish names.
  const head = ['Logg-id', 'Tid (svensk tid)', 'Händelse', 'Utfall', 'Felkod', 'Användare', 'HSA-id', 'Brukare', 'Personnummer', 'Enhet', 'Posttyp', 'Arbetsstation'];
  const lines = rows.map((r) =>
    [r.id, swedishDateTimeSeconds(r.at), LOGGED_ACTION_LABELS_SV[r.action], r.outcome === 'success' ? 'Lyckad' : 'Misslyckad', r.errorCode, r.actorName, r.actorHsaId, r.client?.name ?? null, r.client?.personnummer ?? null, r.unitName, recordTypeSv(r.recordType), r.workstation]
      .map(cell)
      .join(';'),
  );
  return `\uFEFF${[head.join(';'), ...lines].join('\r\n')}\r\n`;
}

/** The file name of an export: the day, never the criteria (they may name a person). */
export const csvFileName = (now: Date) => `logguppfoljning-${swedishDate(now)}.csv`;

export type { NewReview };
