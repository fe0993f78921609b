import { swedishDate, type SupportColleague, type SupportReport, type SupportWorkstation } from '#contract';
import type { Queryable } from '../db/types';
import { maskPersonalData } from '../logging';

/**
 * The workstations' own reports (migration 0021) and who a supporter may see: the SQL of
 * server/support/routes.ts. Nothing here reads a client, a note or a message.
 */

/** A workstation that has not reported for a person in this long is forgotten for her (replaced, left, reinstalled). */
export const REPORT_KEPT_DAYS = 90;

/**
 * The latest report of this workstation for this person replaces the one before; her reports from
 * workstations silent for REPORT_KEPT_DAYS go, so the table stays a handful of rows per person.
 */
export async function saveReport(db: Queryable, staffId: string, r: SupportReport, receivedAt: Date): Promise<void> {
  await db.query(`DELETE FROM support_reports WHERE staff_id = $1 AND received_at < $2::timestamptz - make_interval(days => $3)`, [staffId, receivedAt, REPORT_KEPT_DAYS]);
  await db.query(
    `INSERT INTO support_reports (workstation_id, staff_id, workstation_name, received_at, app_version, host, last_sync_ok_at, sync_outcome, sync_code,
                                  queued, queued_oldest_at, refusals, refusal_codes, card_service, readers, card_present, logged_in_at, store_state, store_bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18, $19)
     ON CONFLICT (staff_id, workstation_id) DO UPDATE SET
       workstation_name = excluded.workstation_name, received_at = excluded.received_at, app_version = excluded.app_version, host = excluded.host,
       last_sync_ok_at = excluded.last_sync_ok_at, sync_outcome = excluded.sync_outcome, sync_code = excluded.sync_code,
       queued = excluded.queued, queued_oldest_at = excluded.queued_oldest_at, refusals = excluded.refusals, refusal_codes = excluded.refusal_codes,
       card_service = excluded.card_service, readers = excluded.readers, card_present = excluded.card_present,
       logged_in_at = excluded.logged_in_at, store_state = excluded.store_state, store_bytes = excluded.store_bytes`,
    [
      // A personnummer typed as the workstation's name is not kept, nor shown to supporters (issue 25).
      r.workstationId, staffId, r.workstationName === null ? null : maskPersonalData(r.workstationName), receivedAt, r.appVersion, r.host, r.sync.lastOkAt, r.sync.outcome, r.sync.code,
      r.queue?.count ?? null, r.queue?.oldestAt ?? null, r.refusals?.count ?? null, r.refusals ? JSON.stringify(r.refusals.codes) : null,
      r.card.service, r.card.readers, r.card.cardPresent, r.loggedInAt, r.store.state, r.store.bytes,
    ],
  );
}

/**
 * Whom a supporter reaches: with a role for the whole organisation everyone of it; with roles on
 * units, the people holding a permission or a role on one of them today. `units` is null for the
 * whole organisation.
 */
export interface Reach {
  organisationId: string;
  units: string[] | null;
}

interface ColleagueRow {
  id: string;
  name: string;
  title: string;
  units: { id: string; name: string }[] | null;
}

/** Today's colleagues in reach (the supporter herself left out), with their units in reach. */
export async function colleaguesInReach(db: Queryable, reach: Reach, selfId: string, now: Date, only?: string): Promise<ColleagueRow[]> {
  const { rows } = await db.query<ColleagueRow>(
    `WITH today AS (SELECT $3::date AS d)
     SELECT s.id, s.given_name || ' ' || s.family_name AS name, s.title,
            (SELECT json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.name)
               FROM units u
              WHERE u.organisation_id = s.organisation_id AND ($2::uuid[] IS NULL OR u.id = ANY($2::uuid[]))
                AND EXISTS (SELECT 1 FROM permissions p, today WHERE p.staff_id = s.id AND p.unit_id = u.id
                             AND p.valid_from <= today.d AND (p.valid_to IS NULL OR p.valid_to >= today.d))) AS units
       FROM staff s, today
      WHERE s.organisation_id = $1 AND s.id <> $4 AND s.role <> 'case_officer' AND ($5::uuid IS NULL OR s.id = $5::uuid)
        AND ($2::uuid[] IS NULL
             OR EXISTS (SELECT 1 FROM permissions p WHERE p.staff_id = s.id AND p.unit_id = ANY($2::uuid[])
                         AND p.valid_from <= today.d AND (p.valid_to IS NULL OR p.valid_to >= today.d))
             OR EXISTS (SELECT 1 FROM role_grants g WHERE g.staff_id = s.id AND g.unit_id = ANY($2::uuid[]) AND g.confirmed_at IS NOT NULL
                         AND g.valid_from <= today.d AND (g.valid_to IS NULL OR g.valid_to >= today.d)))
      ORDER BY s.family_name, s.given_name, s.id`,
    [reach.organisationId, reach.units, swedishDate(now), selfId, only ?? null],
  );
  return rows;
}

interface ReportRow {
  staff_id: string;
  workstation_id: string;
  workstation_name: string | null;
  received_at: Date;
  app_version: string;
  host: 'electron' | 'browser';
  last_sync_ok_at: Date | null;
  sync_outcome: SupportWorkstation['sync']['outcome'];
  sync_code: SupportWorkstation['sync']['code'];
  queued: number | null;
  queued_oldest_at: Date | null;
  refusals: number | null;
  refusal_codes: { code: string; count: number }[] | string | null;
  card_service: 'ok' | 'unavailable';
  readers: number;
  card_present: boolean;
  logged_in_at: Date;
  store_state: SupportWorkstation['store']['state'];
  store_bytes: string | number | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The colleagues with their workstations' latest reports, newest first. */
export async function withReports(db: Queryable, colleagues: ColleagueRow[]): Promise<SupportColleague[]> {
  const { rows } = await db.query<ReportRow>('SELECT * FROM support_reports WHERE staff_id = ANY($1::uuid[]) ORDER BY received_at DESC, workstation_id', [colleagues.map((c) => c.id)]);
  return colleagues.map((c) => ({
    staffId: c.id,
    name: c.name,
    title: c.title,
    units: c.units ?? [],
    workstations: rows.filter((r) => r.staff_id === c.id).map(toWorkstation),
  }));
}

function toWorkstation(r: ReportRow): SupportWorkstation {
  const codes = typeof r.refusal_codes === 'string' ? (JSON.parse(r.refusal_codes) as { code: string; count: number }[]) : r.refusal_codes;
  return {
    workstationId: r.workstation_id,
    workstationName: r.workstation_name === null ? null : maskPersonalData(r.workstation_name),
    receivedAt: iso(r.received_at)!,
    appVersion: r.app_version,
    host: r.host,
    sync: { lastOkAt: iso(r.last_sync_ok_at), outcome: r.sync_outcome, code: r.sync_code },
    queue: r.queued === null ? null : { count: r.queued, oldestAt: iso(r.queued_oldest_at) },
    refusals: r.refusals === null ? null : { count: r.refusals, codes: (codes ?? []) as NonNullable<SupportWorkstation['refusals']>['codes'] },
    card: { service: r.card_service, readers: r.readers, cardPresent: r.card_present },
    loggedInAt: iso(r.logged_in_at)!,
    store: { state: r.store_state, bytes: r.store_bytes === null ? null : Number(r.store_bytes) },
  };
}
