import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, supportRoutes, Uuid } from '#contract';
import { requireRole, rolesOf } from '../admin/roles';
import { SqlAccessLog } from '../audit/access-log';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory } from '../auth/staff';
import type { Db } from '../db/types';
import { createOnce } from '../http/create-once';
import { getRoute, postRoute } from '../http/route';
import { readThread, startThread } from '../messages/store';
import { colleaguesInReach, saveReport, withReports, type Reach } from './reports';

export interface SupportRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
}

const NOT_SUPPORT = 'Endast superanvändare och IT-kontaktpersonen (administratör) har åtkomst till supportvyn.';
const NO_COLLEAGUE = 'Kollegan finns inte bland dem du ger support.';
const IdParams = z.object({ id: z.string() });

/** A supporter's reach from her roles in force: the whole organisation if any role is held on it, else those units. */
function reachOf(request: FastifyRequest): Reach {
  const held = rolesOf(request);
  const organisationId = held[0]!.organisationId;
  const mine = held.filter((r) => r.organisationId === organisationId);
  return { organisationId, units: mine.some((r) => r.unitId === null) ? null : [...new Set(mine.map((r) => r.unitId!))] };
}

/**
 * First-line support (docs/administration.md "Första linjens support"):
 * - every session reports its own workstation's state (`report`; validated, a Swedish 400 otherwise);
 * - a superuser or administrator (403 for everyone else) lists the colleagues in her reach with
 *   their workstations' reports, and sends one of them a support message.
 * Nothing here reads a client, a note or a message of anyone: the view needs none, and a
 * superuser reads colleagues' documentation only through her own unit permissions, elsewhere.
 */
export function registerSupportRoutes(app: FastifyInstance, deps: SupportRouteDeps): void {
  if (!app.hasRequestDecorator('heldRoles')) app.decorateRequest('heldRoles', null);
  const requireSupporter = requireRole(deps.requireSession, deps.db, deps.now, ['superuser', 'it_contact'], NOT_SUPPORT);
  const staff = new SqlStaffDirectory(deps.db);
  const accessLog = new SqlAccessLog(deps.db);

  postRoute(
    app,
    supportRoutes.report,
    { preHandler: deps.requireSession, invalid: 'Arbetsstationens rapport är ogiltig och sparades inte.' },
    async ({ body, request }) => {
      const receivedAt = deps.now();
      await saveReport(deps.db, request.authSession!.staffId, body, receivedAt);
      return { receivedAt: receivedAt.toISOString() };
    },
  );

  getRoute(app, supportRoutes.colleagues, { preHandler: requireSupporter }, async ({ request }) => {
    const now = deps.now();
    const colleagues = await colleaguesInReach(deps.db, reachOf(request), request.authSession!.staffId, now);
    return { serverTime: now.toISOString(), colleagues: await withReports(deps.db, colleagues) };
  });

  postRoute(app, supportRoutes.message, { preHandler: requireSupporter }, async ({ body, request }) => {
    const now = deps.now();
    const id = Uuid.safeParse(IdParams.parse(request.params).id);
    if (!id.success) throw new AppFailure('NOT_FOUND', NO_COLLEAGUE);
    const reach = reachOf(request);
    const [colleague] = await colleaguesInReach(deps.db, reach, request.authSession!.staffId, now, id.data);
    if (!colleague) throw new AppFailure('NOT_FOUND', NO_COLLEAGUE);
    // The thread lives in a unit of hers (its feed is how it reaches her workstation), one in the supporter's reach.
    const unitId = colleague.units?.[0]?.id;
    if (!unitId) throw new AppFailure('CONFLICT', `${colleague.name} har ingen behörighet till någon enhet i dag, så ett meddelande kan inte nå ${genitive(colleague.name)} arbetsstation.`);
    const me = await staff.findStaffByHsaId(request.authSession!.hsaId);
    if (!me || me.id !== request.authSession!.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    // A person-to-person thread between the two, tied to no client or assignment: the unit is in
    // the viewer's scope for this one write only (her role reaches it), which lets the secure
    // messages feature carry it without giving her any of the unit's data.
    const { recordId: threadId, created } = await createOnce(deps.db, { key: body.requestId, staffId: me.id, route: 'support.message' }, async (db) =>
      (await startThread(
        db,
        { staff: me, scope: [unitId] },
        { subject: body.subject, text: body.text, unitId, clientId: null, assignmentId: null, toUnit: false, participantIds: [colleague.id] },
        now,
      )).threadId,
    );
    const workstation = workstationOf(request);
    if (created) {
      await accessLog.record({
        action: 'change',
        outcome: 'success',
        actorStaffId: me.id,
        actorHsaId: me.hsaId,
        recordType: 'message_thread',
        recordId: threadId,
        ...(workstation ? { workstation } : {}),
        at: now,
      });
    }
    // Read back as a participant, to answer only what was really stored.
    const detail = await readThread(deps.db, { staff: me, scope: [] }, threadId);
    return { threadId: detail.thread.id, unitId: detail.thread.unitId };
  });
}

/** Swedish genitive of a name: "Anna Lindqvists", "Lars Andersson" → "Lars Anderssons", "Hans Moberg" → "Hans Mobergs", "Max Fax" → "Max Fax". */
export const genitive = (name: string): string => (/[sxz]$/i.test(name) ? name : `${name}s`);
