import { randomUUID } from 'node:crypto';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { AppFailure, noticeRoutes } from '#contract';
import { SqlAccessLog } from '../audit/access-log';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory, type StaffDirectory } from '../auth/staff';
import type { Db } from '../db/types';
import { postRoute } from '../http/route';
import { authorName } from '../sync/kind';

export interface NoticeRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  staff?: StaffDirectory;
}

/** Who may publish: the municipality's case officers, and the provider's IT contact person or manager (own organisation). */
const PUBLISHERS = new Set(['case_officer', 'it_contact', 'manager']);

/**
 * POST /api/v1/notices (docs/messages.md): a notice to units, one row per unit; the triggers put
 * each into its unit's feed. A case officer publishes to any unit, the provider's administrator to
 * the units of their organisation; a unit outside that answers 404, as an unknown one.
 */
export function registerNoticeRoutes(app: FastifyInstance, deps: NoticeRouteDeps): void {
  const staff = deps.staff ?? new SqlStaffDirectory(deps.db);
  const accessLog = new SqlAccessLog(deps.db);

  postRoute(app, noticeRoutes.publish, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const session = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');
    const member = await staff.findStaffByHsaId(session.hsaId);
    if (!member || member.id !== session.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    if (!PUBLISHERS.has(member.role)) throw new AppFailure('FORBIDDEN', 'Endast handläggare och verksamhetens administratörer kan publicera på anslagstavlan.');
    const now = deps.now();
    const noticeId = randomUUID();
    const units = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT u.id FROM units u
          WHERE ($1::uuid[] IS NULL OR u.id = ANY($1::uuid[]))
            AND ($2::text = 'case_officer' OR u.organisation_id = (SELECT organisation_id FROM staff WHERE id = $3))
          ORDER BY u.id`,
        [body.unitIds ?? null, member.role, member.id],
      );
      if (rows.length === 0 || (body.unitIds && rows.length !== new Set(body.unitIds).size)) throw new AppFailure('NOT_FOUND', 'Enheten finns inte.');
      await tx.query(
        `INSERT INTO notices (notice_id, unit_id, title, text, show_from, show_until, outage_start, outage_end, published_by_staff_id, published_by_name, published_at)
         SELECT $1, u, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM unnest($2::uuid[]) AS u`,
        [noticeId, rows.map((r) => r.id), body.title, body.text, body.showFrom, body.showUntil, body.outageStart, body.outageEnd, member.id, authorName(member), now],
      );
      return rows.length;
    });
    const workstation = workstationOf(request);
    await accessLog.record({ action: 'change', outcome: 'success', actorStaffId: member.id, actorHsaId: member.hsaId, recordType: 'notice', recordId: noticeId, ...(workstation ? { workstation } : {}), at: now });
    return { noticeId, units };
  });
}
