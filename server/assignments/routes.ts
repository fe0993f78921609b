import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AssignmentListQuery, SERVICE_KIND_LABELS, assignmentRoutes, officerRoutes, type ProviderAction, type ServiceKind } from '#contract';
import { swedishDate } from '#contract';
import { AppFailure } from '#contract';
import { SqlAccessLog } from '../audit/access-log';
import { workstationOf } from '../auth/routes';
import type { AuthSession } from '../auth/service';
import { SqlStaffDirectory, type StaffDirectory, type StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { getRoute, postRoute } from '../http/route';
import { syncScope } from '../sync/scope';
import { loadSummary } from './queries/get';
import { NOT_FOUND_MESSAGE, isUuid } from './scope';
import { actOnAssignment, listAssignments, readAssignment, sendAssignment, type ActContext, type Scope } from './store';

export interface AssignmentRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  staff?: StaffDirectory;
}

const IdParams = z.object({ id: z.string() });

/**
 * The provider's assignment API (`/api/v1/assignments`, staff with a permission today on the
 * assignment's unit) and the case officer's (`/api/v1/officer/assignments`, role case_officer).
 * docs/assignments.md. An assignment of a unit outside the caller's permissions answers 404
 * NOT_FOUND exactly like one that does not exist, for reading and for every action.
 */
export function registerAssignmentRoutes(app: FastifyInstance, deps: AssignmentRouteDeps): void {
  const staff = deps.staff ?? new SqlStaffDirectory(deps.db);
  const accessLog = new SqlAccessLog(deps.db);

  /** The session's staff member, stamped on history events (never taken from the request). */
  const actorOf = async (request: FastifyRequest): Promise<StaffRecord> => {
    const session: AuthSession | null = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');
    const member = await staff.findStaffByHsaId(session.hsaId);
    if (!member || member.id !== session.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    return member;
  };
  const contextOf = async (request: FastifyRequest): Promise<ActContext> => {
    const workstation = workstationOf(request);
    return { actor: await actorOf(request), now: deps.now(), ...(workstation ? { workstation } : {}) };
  };
  const scopeOf = async (actor: StaffRecord, now: Date): Promise<Set<string>> =>
    new Set((await syncScope(staff, actor.id, now)).map((u) => u.unitId));

  /** The officer routes: a session, and the role case_officer (403 FORBIDDEN otherwise). */
  const requireOfficer: preHandlerAsyncHookHandler = async function (request, reply) {
    await deps.requireSession.call(this, request, reply);
    if (reply.sent) return;
    const actor = await actorOf(request);
    if (actor.role !== 'case_officer') throw new AppFailure('FORBIDDEN', 'Endast biståndshandläggare har åtkomst till handläggarens uppdrag.');
  };

  /** A list names clients: one `read` event per list that returned rows (not one per row, like a sync pull). */
  const logList = async (ctx: ActContext, rows: number) => {
    if (rows === 0) return;
    await accessLog.record({
      action: 'read',
      outcome: 'success',
      actorStaffId: ctx.actor.id,
      actorHsaId: ctx.actor.hsaId,
      recordType: 'assignment_list',
      ...(ctx.workstation ? { workstation: ctx.workstation } : {}),
      at: ctx.now,
    });
  };

  // --- provider ------------------------------------------------------------------------------

  getRoute(app, assignmentRoutes.list, { preHandler: deps.requireSession, query: AssignmentListQuery }, async ({ query, request }) => {
    const ctx = await contextOf(request);
    const scope = await scopeOf(ctx.actor, ctx.now);
    if (query.unitId && !scope.has(query.unitId)) throw new AppFailure('FORBIDDEN', 'Du har inte behörighet till enheten.');
    const answer = await listAssignments(deps.db, scope, query);
    await logList(ctx, answer.items.length);
    return answer;
  });

  getRoute(app, assignmentRoutes.get, { preHandler: deps.requireSession }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const ctx = await contextOf(request);
    return readAssignment(deps.db, id, await scopeOf(ctx.actor, ctx.now), ctx);
  });

  postRoute(app, assignmentRoutes.act, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const { id } = IdParams.parse(request.params);
    const ctx = await contextOf(request);
    const scope = await scopeOf(ctx.actor, ctx.now);
    return actOnAssignment(
      deps.db,
      id,
      scope,
      { kind: 'provider', action: body, check: (tx, a, current) => checkDistribution(tx, a, current.serviceKind, scope, ctx.now) },
      ctx,
    );
  });

  getRoute(app, assignmentRoutes.targets, { preHandler: deps.requireSession }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const ctx = await contextOf(request);
    const scope = await scopeOf(ctx.actor, ctx.now);
    const assignment = isUuid(id) ? await loadSummary(deps.db, id) : null;
    if (!assignment || !scope.has(assignment.unitId)) throw new AppFailure('NOT_FOUND', NOT_FOUND_MESSAGE);
    const { rows } = await deps.db.query<{ id: string; name: string }>(
      'SELECT id, name FROM units WHERE id = ANY($1::uuid[]) AND $2 = ANY (service_kinds) ORDER BY name, id',
      [[...scope], assignment.serviceKind],
    );
    return { units: rows.map((r) => ({ unitId: r.id, name: r.name })) };
  });

  getRoute(app, assignmentRoutes.staff, { preHandler: deps.requireSession }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const ctx = await contextOf(request);
    if (!(await scopeOf(ctx.actor, ctx.now)).has(id)) throw new AppFailure('FORBIDDEN', 'Du har inte behörighet till enheten.');
    const { rows } = await deps.db.query<{ id: string; given_name: string; family_name: string; title: string }>(
      `SELECT DISTINCT s.id, s.given_name, s.family_name, s.title
         FROM permissions p JOIN staff s ON s.id = p.staff_id JOIN units u ON u.id = p.unit_id
        WHERE p.unit_id = $1 AND s.organisation_id = u.organisation_id
          AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to >= $2::date)
        ORDER BY s.family_name, s.given_name, s.id`,
      [id, swedishDate(ctx.now)],
    );
    return { staff: rows.map((r) => ({ staffId: r.id, name: `${r.given_name} ${r.family_name}`, title: r.title })) };
  });

  // --- case officer --------------------------------------------------------------------------

  getRoute(app, officerRoutes.list, { preHandler: requireOfficer, query: AssignmentListQuery }, async ({ query, request }) => {
    const ctx = await contextOf(request);
    const answer = await listAssignments(deps.db, { officer: ctx.actor.id }, query);
    await logList(ctx, answer.items.length);
    return answer;
  });

  getRoute(app, officerRoutes.get, { preHandler: requireOfficer }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const ctx = await contextOf(request);
    return readAssignment(deps.db, id, { officer: ctx.actor.id }, ctx);
  });

  postRoute(app, officerRoutes.send, { preHandler: requireOfficer }, async ({ body, request, reply }) => {
    const assignment = await sendAssignment(deps.db, body, await contextOf(request));
    void reply.code(201);
    return assignment;
  });

  postRoute(app, officerRoutes.act, { preHandler: requireOfficer }, async ({ body, request }) => {
    const { id } = IdParams.parse(request.params);
    const ctx = await contextOf(request);
    return actOnAssignment(deps.db, id, { officer: ctx.actor.id } satisfies Scope, { kind: 'officer', action: body }, ctx);
  });
}

/**
 * A distribution goes to a unit the user holds a permission for that provides the assignment's
 * kind of service, and to staff who hold a permission for that unit today.
 */
async function checkDistribution(tx: Queryable, action: ProviderAction, kind: ServiceKind, scope: ReadonlySet<string>, now: Date): Promise<void> {
  if (action.type !== 'distribute') return;
  if (!scope.has(action.unitId)) throw new AppFailure('VALIDATION', 'Du kan bara fördela uppdraget till en enhet som du har behörighet till.');
  const { rows: units } = await tx.query<{ name: string; provides: boolean }>('SELECT name, $2 = ANY (service_kinds) AS provides FROM units WHERE id = $1', [
    action.unitId,
    kind,
  ]);
  if (!units[0]?.provides) {
    throw new AppFailure(
      'VALIDATION',
      `${units[0]?.name ?? 'Enheten'} utför inte ${SERVICE_KIND_LABELS[kind].toLowerCase()}. Fördela uppdraget till en enhet som gör det.`,
    );
  }
  if (action.staffIds.length === 0) return;
  const { rows } = await tx.query<{ staff_id: string }>(
    `SELECT DISTINCT p.staff_id FROM permissions p JOIN staff s ON s.id = p.staff_id JOIN units u ON u.id = p.unit_id
      WHERE p.unit_id = $1 AND p.staff_id = ANY($2::uuid[]) AND s.organisation_id = u.organisation_id
        AND p.valid_from <= $3::date AND (p.valid_to IS NULL OR p.valid_to >= $3::date)`,
    [action.unitId, action.staffIds, swedishDate(now)],
  );
  if (rows.length !== new Set(action.staffIds).size) {
    throw new AppFailure('VALIDATION', 'All personal som uppdraget fördelas till måste ha behörighet till enheten.');
  }
}
