import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, noticeRoutes } from '#contract';
import { activeRoles } from '../admin/roles';
import { SqlAccessLog } from '../audit/access-log';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory, type StaffDirectory, type StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { createOnce } from '../http/create-once';
import { postRoute } from '../http/route';
import { authorName } from '../sync/kind';

export interface NoticeRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  staff?: StaffDirectory;
}

const NOT_PUBLISHER = 'Endast handläggare och verksamhetens administratörer kan publicera på anslagstavlan.';
const NO_UNIT = 'Enheten finns inte.';
const NO_NOTICE = 'Meddelandet finns inte på anslagstavlan.';
const IdParams = z.object({ id: z.string().uuid() });

/**
 * The units `member` may publish to and withdraw from: a case officer (the municipality's, role
 * case_officer) every unit; the provider's administrator — it_contact in force in role_grants,
 * as for the rest of the administration (server/admin/roles.ts) — the units of her grants (an
 * organisation-wide grant: all the organisation's units). Anyone else: FORBIDDEN.
 */
async function publishableUnits(db: Queryable, member: StaffRecord, now: Date): Promise<Set<string>> {
  if (member.role === 'case_officer') return new Set((await db.query<{ id: string }>('SELECT id FROM units')).rows.map((r) => r.id));
  const held = (await activeRoles(db, member.id, now)).filter((r) => r.role === 'it_contact');
  if (held.length === 0) throw new AppFailure('FORBIDDEN', NOT_PUBLISHER);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM units WHERE organisation_id = ANY($1::uuid[]) OR id = ANY($2::uuid[])', [
    held.filter((r) => r.unitId === null).map((r) => r.organisationId),
    held.flatMap((r) => (r.unitId === null ? [] : [r.unitId])),
  ]);
  return new Set(rows.map((r) => r.id));
}

/**
 * The notice board's API (docs/messages.md): publish (one row per unit, the triggers put each into
 * its unit's feed) and withdraw (the rows marked withdrawn: a delete in each unit's feed). A unit
 * or notice outside the caller's reach answers 404, as an unknown one.
 */
export function registerNoticeRoutes(app: FastifyInstance, deps: NoticeRouteDeps): void {
  const staff = deps.staff ?? new SqlStaffDirectory(deps.db);
  const accessLog = new SqlAccessLog(deps.db);

  const publisherOf = async (request: FastifyRequest, now: Date) => {
    const session = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');
    const member = await staff.findStaffByHsaId(session.hsaId);
    if (!member || member.id !== session.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    return { member, units: await publishableUnits(deps.db, member, now) };
  };
  const logChange = (request: FastifyRequest, member: StaffRecord, noticeId: string, now: Date) => {
    const workstation = workstationOf(request);
    return accessLog.record({ action: 'change', outcome: 'success', actorStaffId: member.id, actorHsaId: member.hsaId, recordType: 'notice', recordId: noticeId, ...(workstation ? { workstation } : {}), at: now });
  };

  postRoute(app, noticeRoutes.publish, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const now = deps.now();
    const { member, units } = await publisherOf(request, now);
    const unitIds = body.unitIds ? [...new Set(body.unitIds)] : [...units];
    if (unitIds.length === 0 || unitIds.some((u) => !units.has(u))) throw new AppFailure('NOT_FOUND', NO_UNIT);
    const { recordId: noticeId, created } = await createOnce(deps.db, { key: body.requestId, staffId: member.id, route: 'notices.publish' }, async (db) => {
      const noticeId = randomUUID();
      await db.query(
      `INSERT INTO notices (notice_id, unit_id, title, text, show_from, show_until, outage_start, outage_end, published_by_staff_id, published_by_name, published_at)
       SELECT $1, u, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM unnest($2::uuid[]) AS u`,
      [noticeId, unitIds.sort(), body.title, body.text, body.showFrom, body.showUntil, body.outageStart, body.outageEnd, member.id, authorName(member), now],
      );
      return noticeId;
    });
    if (created) await logChange(request, member, noticeId, now);
    const { rows } = await deps.db.query<{ units: number }>('SELECT count(*)::int AS units FROM notices WHERE notice_id = $1', [noticeId]);
    return { noticeId, units: rows[0]!.units };
  });

  postRoute(app, noticeRoutes.withdraw, { preHandler: deps.requireSession }, async ({ request }) => {
    const parsed = IdParams.safeParse(request.params);
    if (!parsed.success) throw new AppFailure('NOT_FOUND', NO_NOTICE);
    const noticeId = parsed.data.id;
    const now = deps.now();
    const { member, units } = await publisherOf(request, now);
    const withdrawn = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ unit_id: string; withdrawn: boolean }>('SELECT unit_id, withdrawn_at IS NOT NULL AS withdrawn FROM notices WHERE notice_id = $1 FOR UPDATE', [noticeId]);
      // Only who may publish to every unit of the notice may withdraw it; to anyone else it does not exist.
      if (rows.length === 0 || rows.some((r) => !units.has(r.unit_id))) throw new AppFailure('NOT_FOUND', NO_NOTICE);
      if (rows.every((r) => r.withdrawn)) throw new AppFailure('CONFLICT', 'Meddelandet är redan återkallat.');
      const { rows: done } = await tx.query('UPDATE notices SET withdrawn_at = $2, withdrawn_by_staff_id = $3 WHERE notice_id = $1 AND withdrawn_at IS NULL RETURNING id', [noticeId, now, member.id]);
      return done.length;
    });
    await logChange(request, member, noticeId, now);
    return { noticeId, units: withdrawn };
  });
}
