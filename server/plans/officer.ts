import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, currentConsent, latestConsent, officerPlanRoutes, PlanRecord, swedishDate, type OfficerPlanListItem } from '#contract';
import { SqlAccessLog } from '../audit/access-log';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory, type StaffRecord } from '../auth/staff';
import type { Db } from '../db/types';
import { getRoute } from '../http/route';
import { planJson } from './sync';

/**
 * The case officer's side of implementation plans (docs/plans.md): the plans of a client of an
 * assignment she sent, the current set version only while the client's consent is in force (every
 * read, and every read refused for want of consent, is an access-log event), and the municipality's
 * follow-up per provider unit.
 */
export interface PlanOfficerDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
}

export const OFFICER_PLAN_MESSAGES = {
  officerOnly: 'Endast biståndshandläggare har åtkomst till genomförandeplanerna.',
  notYours: 'Brukaren har inget uppdrag som du har skickat, eller finns inte.',
  planMissing: 'Genomförandeplanen finns inte, eller gäller en brukare utan uppdrag från dig.',
  notSet: 'Genomförandeplanen har ännu ingen fastställd version.',
  consentMissing: 'Brukaren har inte gett samtycke till att handläggaren läser genomförandeplanen. Planen kan läsas först när samtycke har antecknats av utföraren.',
} as const;

/** Assignments whose client counts as active (the same statuses as the workstation's due list). */
const ACTIVE = `('executed', 'paused', 'cancellation_requested')`;
const ClientParams = z.object({ clientId: z.string().uuid() });
const IdParams = z.object({ id: z.string().uuid() });
const notFound = (message: string) => new AppFailure('NOT_FOUND', message);

export function registerPlanOfficerRoutes(app: FastifyInstance, deps: PlanOfficerDeps): void {
  const staff = new SqlStaffDirectory(deps.db);
  const accessLog = new SqlAccessLog(deps.db);

  const officerOf = async (request: FastifyRequest): Promise<StaffRecord> => {
    const session = request.authSession;
    const member = session ? await staff.findStaffByHsaId(session.hsaId) : null;
    if (!member || member.id !== session?.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    if (member.role !== 'case_officer') throw new AppFailure('FORBIDDEN', OFFICER_PLAN_MESSAGES.officerOnly);
    return member;
  };
  const log = (request: FastifyRequest, actor: StaffRecord, e: { outcome: 'success' | 'failure'; clientId: string; recordType: string; recordId?: string; errorCode?: 'FORBIDDEN' }) => {
    const workstation = workstationOf(request);
    return accessLog.record({ action: 'read', actorStaffId: actor.id, actorHsaId: actor.hsaId, at: deps.now(), ...(workstation ? { workstation } : {}), ...e });
  };
  /** Her client: one with an assignment she sent (unknown and not hers answer alike). */
  const isHers = async (actor: StaffRecord, clientId: string) =>
    (await deps.db.query('SELECT 1 FROM assignments WHERE client_id = $1 AND sent_by_staff_id = $2 LIMIT 1', [clientId, actor.id])).rows.length > 0;

  getRoute(app, officerPlanRoutes.list, { preHandler: deps.requireSession }, async ({ request }) => {
    const { clientId } = ClientParams.parse(request.params);
    const actor = await officerOf(request);
    if (!(await isHers(actor, clientId))) throw notFound(OFFICER_PLAN_MESSAGES.notYours);
    const { rows } = await deps.db.query<{ json: string; unit_name: string }>(
      `SELECT ${planJson('p')} AS json, u.name AS unit_name FROM plans p JOIN units u ON u.id = p.unit_id WHERE p.client_id = $1 ORDER BY p.created_at, p.id`,
      [clientId],
    );
    const plans: OfficerPlanListItem[] = rows.map((r) => {
      const plan = PlanRecord.parse(JSON.parse(r.json));
      const v = plan.versions.at(-1);
      return { planId: plan.id, clientId, unitName: r.unit_name, versionNo: v?.versionNo ?? null, setOn: v?.setOn ?? null, consent: latestConsent(plan)?.status ?? 'none' };
    });
    // The list names the plans and their consent, not their text: one read of the client's plans.
    await log(request, actor, { outcome: 'success', clientId, recordType: 'plan_list' });
    return { plans };
  });

  getRoute(app, officerPlanRoutes.get, { preHandler: deps.requireSession }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const actor = await officerOf(request);
    const { rows } = await deps.db.query<{ json: string; unit_name: string }>(
      `SELECT ${planJson('p')} AS json, u.name AS unit_name FROM plans p JOIN units u ON u.id = p.unit_id WHERE p.id = $1`,
      [id],
    );
    const row = rows[0];
    const plan = row ? PlanRecord.parse(JSON.parse(row.json)) : null;
    if (!plan || !(await isHers(actor, plan.clientId))) throw notFound(OFFICER_PLAN_MESSAGES.planMissing);
    const consent = currentConsent(plan);
    if (!consent) {
      await log(request, actor, { outcome: 'failure', errorCode: 'FORBIDDEN', clientId: plan.clientId, recordType: 'plan', recordId: plan.id });
      throw new AppFailure('FORBIDDEN', OFFICER_PLAN_MESSAGES.consentMissing, { reason: 'consent_missing' });
    }
    const version = plan.versions.at(-1);
    if (!version) throw notFound(OFFICER_PLAN_MESSAGES.notSet);
    await log(request, actor, { outcome: 'success', clientId: plan.clientId, recordType: 'plan', recordId: plan.id });
    return { planId: plan.id, clientId: plan.clientId, unitName: row!.unit_name, version, consent, followUps: plan.followUps.filter((f) => f.versionId === version.id) };
  });

  getRoute(app, officerPlanRoutes.stats, { preHandler: deps.requireSession }, async ({ request }) => {
    await officerOf(request);
    const today = swedishDate(deps.now());
    // Per provider unit: its active clients (an active assignment there), how many of them have a
    // set plan, and how many of those are past their yearly revision. Figures, no personal data.
    const { rows } = await deps.db.query<{ unit_id: string; unit_name: string; active: number; with_plan: number; overdue: number }>(
      `WITH active AS (
         SELECT DISTINCT unit_id, client_id FROM assignments WHERE status IN ${ACTIVE}
       ), latest AS (
         SELECT p.client_id, max(v.set_on) AS set_on FROM plans p JOIN plan_versions v ON v.plan_id = p.id GROUP BY p.client_id
       )
       SELECT u.id AS unit_id, u.name AS unit_name, count(a.client_id)::int AS active, count(l.client_id)::int AS with_plan,
              count(l.client_id) FILTER (WHERE l.set_on + interval '1 year' < $1::date)::int AS overdue
         FROM units u LEFT JOIN active a ON a.unit_id = u.id LEFT JOIN latest l ON l.client_id = a.client_id
        GROUP BY u.id, u.name ORDER BY u.name, u.id`,
      [today],
    );
    return { at: today, units: rows.map((r) => ({ unitId: r.unit_id, unitName: r.unit_name, activeClients: r.active, withSetPlan: r.with_plan, overdueRevision: r.overdue })) };
  });
}
