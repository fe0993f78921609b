import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AppFailure,
  DEVIATION_MESSAGES,
  DeviationListQuery,
  deviationRoutes,
  DeviationStatsQuery,
  stepProblem,
  swedishDate,
  type DeviationCase,
  type DeviationListItem,
  type DeviationRecord,
  type DeviationStep,
  type OfficerDeviation,
} from '#contract';
import { requireRole, rolesOf } from '../admin/roles';
import { SqlAccessLog } from '../audit/access-log';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory, type StaffRecord } from '../auth/staff';
import type { Queryable } from '../db/types';
import { getRoute, postRoute } from '../http/route';
import { startThread } from '../messages/store';
import { authorName, type KindRouteDeps } from '../sync/kind';
import { appendStep, deviationJson, deviationRecord, reportedOnOf, stepsOf } from './store';

/**
 * The manager's handling and the case officer's reading of deviations (docs/deviations.md).
 * The manager: one who holds the `manager` role in force on the deviation's unit (or on the whole
 * organisation); anyone else is refused (403) and a deviation outside her units answers 404 like
 * one that does not exist. The case officer: deviations about the execution of an assignment she
 * sent, once the manager has received them; the reporter is never named to her. Every read of a
 * deviation naming a client is an access-log `read`, every step a `change`.
 */

const IdParams = z.object({ id: z.string().uuid() });
const notFound = () => new AppFailure('NOT_FOUND', DEVIATION_MESSAGES.deviationMissing);

interface Manager {
  staff: StaffRecord;
  units: string[];
}

export function registerDeviationRoutes(app: FastifyInstance, deps: KindRouteDeps): void {
  const directory = new SqlStaffDirectory(deps.db);
  const accessLog = new SqlAccessLog(deps.db);

  const staffOf = async (request: FastifyRequest): Promise<StaffRecord> => {
    const session = request.authSession;
    const member = session ? await directory.findStaffByHsaId(session.hsaId) : null;
    if (!member || member.id !== session?.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    return member;
  };
  // The manager role in force, checked before a body or query is read (403 otherwise).
  const asManager = requireRole(deps.requireSession, deps.db, deps.now, ['manager'], DEVIATION_MESSAGES.managerOnly);
  /** The units the caller manages now (her manager grants: units, or every unit of her organisation). */
  const managedUnits = async (request: FastifyRequest): Promise<string[]> => {
    const roles = rolesOf(request);
    const { rows } = await deps.db.query<{ id: string }>(
      `SELECT u.id FROM units u WHERE u.id = ANY($1::uuid[]) OR u.organisation_id = ANY($2::uuid[]) ORDER BY u.id`,
      [roles.flatMap((r) => (r.unitId ? [r.unitId] : [])), roles.flatMap((r) => (r.unitId ? [] : [r.organisationId]))],
    );
    return rows.map((r) => r.id);
  };
  const managerOf = async (request: FastifyRequest): Promise<Manager> => ({ staff: await staffOf(request), units: await managedUnits(request) });
  const log = (db: Queryable, request: FastifyRequest, actor: StaffRecord, action: 'read' | 'change', recordType: string, record: { id: string; clientId: string | null }) => {
    if (record.clientId === null) return Promise.resolve();
    const workstation = workstationOf(request);
    const events = db === deps.db ? accessLog : new SqlAccessLog(db);
    return events.record({
      action,
      outcome: 'success',
      actorStaffId: actor.id,
      actorHsaId: actor.hsaId,
      at: deps.now(),
      clientId: record.clientId,
      recordType,
      recordId: record.id,
      ...(workstation ? { workstation } : {}),
    });
  };

  /** The case as the manager reads it (null: outside her units or missing). */
  const caseOf = async (db: Queryable, id: string, manager: Manager): Promise<DeviationCase | null> => {
    const { rows } = await db.query<{ json: string; unit_name: string; client_name: string | null; personnummer: string | null; next_step: DeviationCase['next']; next_due: string | null; ivo_due: string | null; informed: boolean }>(
      `SELECT ${deviationJson('d')} AS json, u.name AS unit_name, c.given_name || ' ' || c.family_name AS client_name, c.personnummer,
              d.next_step, d.next_due, d.ivo_due, d.officer_thread_id IS NOT NULL AS informed
         FROM deviations d JOIN units u ON u.id = d.unit_id LEFT JOIN clients c ON c.id = d.client_id
        WHERE d.id = $1 AND d.unit_id = ANY($2::uuid[])`,
      [id, manager.units],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      record: JSON.parse(r.json) as DeviationRecord,
      unitName: r.unit_name,
      clientName: r.client_name,
      clientPersonnummer: r.personnummer,
      steps: await stepsOf(db, id),
      next: r.next_step,
      due: r.next_due,
      ivoDue: r.ivo_due,
      officerInformed: r.informed,
    };
  };

  getRoute(app, deviationRoutes.list, { preHandler: asManager, query: DeviationListQuery }, async ({ request, query }) => {
    const managed = await managedUnits(request);
    if (query.unitId !== undefined && !managed.includes(query.unitId)) throw new AppFailure('NOT_FOUND', DEVIATION_MESSAGES.managerOnly);
    const units = query.unitId !== undefined ? [query.unitId] : managed;
    // One unit (the usual manager): `=`, so the open list is read in due order straight off the partial index.
    const inUnits = units.length === 1 ? 'd.unit_id = $1::uuid' : 'd.unit_id = ANY($1::uuid[])';
    const where = query.state === 'open' ? 'AND d.closed_at IS NULL' : query.state === 'closed' ? 'AND d.closed_at IS NOT NULL' : '';
    // Open: the next step's due day first (the most overdue at the top); closed: the newest first.
    const order = query.state === 'open' ? 'd.next_due, d.reported_at, d.id' : 'd.reported_at DESC, d.id';
    const { rows } = await deps.db.query<{
      id: string; unit_id: string; unit_name: string; client_id: string | null; client_name: string | null; category: DeviationListItem['category'];
      occurred_at: Date; reported_at: Date; lex_sarah: DeviationListItem['lexSarah']; status: DeviationListItem['status']; decision: DeviationListItem['decision'];
      next_step: DeviationListItem['next']; next_due: string | null; ivo_due: string | null;
    }>(
      // The page first (the partial index in due order), then its names: only the page's rows are joined.
      `SELECT d.id, d.unit_id, u.name AS unit_name, d.client_id, c.given_name || ' ' || c.family_name AS client_name, d.category, d.occurred_at, d.reported_at,
              d.lex_sarah, d.status, d.decision, d.next_step, d.next_due, d.ivo_due
         FROM (SELECT d.* FROM deviations d
                WHERE ${inUnits} ${where}
                ORDER BY ${order} LIMIT $2) d
         JOIN units u ON u.id = d.unit_id LEFT JOIN clients c ON c.id = d.client_id
        ORDER BY ${order}`,
      [units.length === 1 ? units[0] : units, query.limit],
    );
    const today = swedishDate(deps.now());
    const items: DeviationListItem[] = rows.map((r) => ({
      id: r.id,
      unitId: r.unit_id,
      unitName: r.unit_name,
      clientId: r.client_id,
      clientName: r.client_name,
      category: r.category,
      occurredAt: new Date(r.occurred_at).toISOString(),
      reportedAt: new Date(r.reported_at).toISOString(),
      lexSarah: r.lex_sarah,
      status: r.status,
      decision: r.decision,
      next: r.next_step,
      due: r.next_due,
      ivoDue: r.ivo_due,
      overdue: r.next_due !== null && r.next_due < today,
    }));
    return { items };
  });

  getRoute(app, deviationRoutes.get, { preHandler: asManager }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const manager = await managerOf(request);
    const found = await caseOf(deps.db, id, manager);
    if (!found) throw notFound();
    await log(deps.db, request, manager.staff, 'read', 'deviation', found.record);
    return found;
  });

  postRoute(app, deviationRoutes.step, { preHandler: asManager }, async ({ request, body }) => {
    const { id } = IdParams.parse(request.params);
    const manager = await managerOf(request);
    const now = deps.now();
    const written = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ unit_id: string }>('SELECT unit_id FROM deviations WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0] || !manager.units.includes(rows[0].unit_id)) throw notFound();
      const record = (await deviationRecord(tx, id))!;
      const steps = await stepsOf(tx, id);
      const same = steps.find((s) => s.id === body.id);
      // The same step again (a retry): answered as the case is, nothing written.
      if (same) {
        if (same.kind !== body.kind) throw new AppFailure('CONFLICT', DEVIATION_MESSAGES.stepIdTaken);
        return null;
      }
      if ((await tx.query('SELECT 1 FROM deviation_steps WHERE id = $1', [body.id])).rows.length > 0) throw new AppFailure('CONFLICT', DEVIATION_MESSAGES.stepIdTaken);
      const problem = stepProblem(steps, body);
      if (problem) throw new AppFailure('CONFLICT', problem);
      const reportedOn = reportedOnOf(record);
      const today = swedishDate(now);
      if (body.kind === 'ivo_report' && (body.reportedOn > today || body.reportedOn < reportedOn)) {
        throw new AppFailure('VALIDATION', 'Dagen för anmälan till IVO måste ligga mellan rapportens dag och i dag.');
      }
      if (body.kind === 'measure_done' && body.doneOn > today) throw new AppFailure('VALIDATION', 'En åtgärd kan inte vara genomförd i framtiden.');
      const by = { id: manager.staff.id, hsaId: manager.staff.hsaId, name: authorName(manager.staff), title: manager.staff.title };
      await appendStep(tx, id, reportedOn, steps satisfies DeviationStep[], body, by, now);
      await log(tx, request, manager.staff, 'change', 'deviation', record);
      return record;
    });
    if (written) await informOfficer(written, manager, now);
    const answer = await caseOf(deps.db, id, manager);
    if (!answer) throw notFound();
    return answer;
  });

  /**
   * A deviation about an assignment's execution, once received: the case officer who sent the
   * assignment gets a secure message tied to it (once; retried with the next step if it failed).
   * The message names no client and nothing of the report: she reads it under her deviations.
   */
  const informOfficer = async (record: DeviationRecord, manager: Manager, now: Date) => {
    if (record.assignmentId === null) return;
    const { rows } = await deps.db.query<{ officer: string; reference: string; informed: boolean; received: boolean }>(
      `SELECT a.sent_by_staff_id AS officer, a.decision_reference AS reference, d.officer_thread_id IS NOT NULL AS informed, d.received_at IS NOT NULL AS received
         FROM deviations d JOIN assignments a ON a.id = d.assignment_id WHERE d.id = $1`,
      [record.id],
    );
    const r = rows[0];
    if (!r || r.informed || !r.received) return;
    const { threadId } = await startThread(
      deps.db,
      { staff: manager.staff, scope: [record.unitId] },
      {
        subject: `Avvikelse i verkställigheten (beslut ${r.reference})`,
        clientId: record.clientId,
        assignmentId: record.assignmentId,
        toUnit: false,
        participantIds: [r.officer],
        text:
          `En avvikelse som gäller verkställigheten av uppdraget (beslut ${r.reference}) rapporterades ${swedishDate(new Date(record.reportedAt))} ` +
          'och har tagits emot av verksamhetsansvarig. Du kan läsa den, med bedömning och åtgärder när de finns, under Avvikelser.',
      },
      now,
    );
    await deps.db.query('UPDATE deviations SET officer_thread_id = $2 WHERE id = $1 AND officer_thread_id IS NULL', [record.id, threadId]);
  };

  /** The units and the period of a follow-up query (404 for a unit she does not manage). */
  const period = async (request: FastifyRequest, query: { from: string; to: string; unitId?: string | undefined }) => {
    const units = await managedUnits(request);
    if (query.unitId !== undefined && !units.includes(query.unitId)) throw new AppFailure('NOT_FOUND', DEVIATION_MESSAGES.managerOnly);
    if (query.from > query.to) throw new AppFailure('VALIDATION', 'Periodens första dag måste ligga före dess sista.');
    return [query.unitId !== undefined ? [query.unitId] : units, query.from, query.to];
  };

  // Per unit, month and category from the rollup the trigger keeps (migrations/0065, 0066): a few rows, not every
  // deviation; the medians kept with each row (from the lead times the trigger keeps sorted).
  getRoute(app, deviationRoutes.stats, { preHandler: asManager, query: DeviationStatsQuery }, async ({ request, query }) => {
    const params = await period(request, query);
    const [{ rows }, { rows: names }] = await Promise.all([
      deps.db.query<{ unit_id: string; category: DeviationListItem['category']; month: string; count: number; closed: number; to_receive: number | null; to_close: number | null }>(
        `SELECT s.unit_id, s.category, to_char(s.month, 'YYYY-MM') AS month, s.reported AS count, s.closed,
                s.receive_median AS to_receive, s.close_median AS to_close
           FROM deviation_month_stats s
          WHERE s.unit_id = ANY($1::uuid[]) AND s.month BETWEEN date_trunc('month', $2::date)::date AND $3::date AND s.reported > 0
          ORDER BY s.unit_id, s.month, s.category`,
        params,
      ),
      deps.db.query<{ id: string; name: string }>('SELECT id, name FROM units WHERE id = ANY($1::uuid[]) ORDER BY name, id', [params[0]]),
    ]);
    return {
      units: names.map((u) => ({ unitId: u.id, unitName: u.name })),
      rows: rows.map((r) => ({ unitId: r.unit_id, category: r.category, month: r.month, count: r.count, closed: r.closed, daysToReceive: r.to_receive, daysToClose: r.to_close })),
    };
  });

  // The same client again, the same hour again: over the period's deviations themselves.
  getRoute(app, deviationRoutes.patterns, { preHandler: asManager, query: DeviationStatsQuery }, async ({ request, query }) => {
    const params = await period(request, query);
    const where = `d.unit_id = ANY($1::uuid[]) AND d.reported_on BETWEEN $2::date AND $3::date`;
    const [clients, hours, clientHours] = await Promise.all([
      deps.db.query<{ client_id: string; client_name: string; unit_name: string; count: number }>(
        `SELECT s.client_id, c.given_name || ' ' || c.family_name AS client_name, u.name AS unit_name, s.count FROM (
           SELECT d.client_id, count(*)::int AS count FROM deviations d WHERE ${where} AND d.client_id IS NOT NULL GROUP BY d.client_id HAVING count(*) >= 2
            ORDER BY count(*) DESC, d.client_id LIMIT 20) s
         JOIN clients c ON c.id = s.client_id JOIN units u ON u.id = c.unit_id ORDER BY s.count DESC, s.client_id`,
        params,
      ),
      deps.db.query<{ hour: number; count: number }>(
        `SELECT d.occurred_hour::int AS hour, count(*)::int AS count FROM deviations d WHERE ${where} GROUP BY d.occurred_hour ORDER BY d.occurred_hour`,
        params,
      ),
      deps.db.query<{ client_id: string; client_name: string; hour: number; count: number }>(
        `SELECT s.client_id, c.given_name || ' ' || c.family_name AS client_name, s.hour, s.count FROM (
           SELECT d.client_id, d.occurred_hour::int AS hour, count(*)::int AS count FROM deviations d WHERE ${where} AND d.client_id IS NOT NULL
            GROUP BY d.client_id, d.occurred_hour HAVING count(*) >= 2 ORDER BY count(*) DESC, d.client_id, d.occurred_hour LIMIT 20) s
         JOIN clients c ON c.id = s.client_id ORDER BY s.count DESC, s.client_id, s.hour`,
        params,
      ),
    ]);
    return {
      clients: clients.rows.map((r) => ({ clientId: r.client_id, clientName: r.client_name, unitName: r.unit_name, count: r.count })),
      hours: hours.rows,
      clientHours: clientHours.rows.map((r) => ({ clientId: r.client_id, clientName: r.client_name, hour: r.hour, count: r.count })),
    };
  });

  // ---- the case officer ----

  const officerOf = async (request: FastifyRequest): Promise<StaffRecord> => {
    const staff = await staffOf(request);
    if (staff.role !== 'case_officer') throw new AppFailure('FORBIDDEN', 'Endast biståndshandläggare läser avvikelser här.');
    return staff;
  };
  const officerSql = `SELECT ${deviationJson('d')} AS json, u.name AS unit_name FROM deviations d JOIN units u ON u.id = d.unit_id
     JOIN assignments a ON a.id = d.assignment_id WHERE a.sent_by_staff_id = $1 AND d.received_at IS NOT NULL`;
  const toOfficer = async (json: string, unitName: string): Promise<OfficerDeviation> => {
    const r = JSON.parse(json) as DeviationRecord;
    const steps = await stepsOf(deps.db, r.id);
    const done = new Map(steps.flatMap((s) => (s.kind === 'measure_done' ? [[s.measureId, s.doneOn] as const] : [])));
    const ivo = steps.find((s) => s.kind === 'ivo_report');
    return {
      id: r.id,
      assignmentId: r.assignmentId!,
      clientId: r.clientId,
      unitName,
      category: r.category,
      occurredAt: r.occurredAt,
      place: r.place,
      description: r.description,
      consequence: r.consequence,
      immediateAction: r.immediateAction,
      reportedAt: r.reportedAt,
      status: r.status,
      decision: r.decision,
      measures: steps.flatMap((s) => (s.kind === 'measure' ? [{ what: s.what, dueDate: s.dueDate, doneOn: done.get(s.id) ?? null }] : [])),
      ivoReport: ivo ? { reportedOn: ivo.reportedOn, reference: ivo.reference } : null,
    };
  };

  getRoute(app, deviationRoutes.officerList, { preHandler: deps.requireSession }, async ({ request }) => {
    const officer = await officerOf(request);
    const { rows } = await deps.db.query<{ json: string; unit_name: string }>(`${officerSql} ORDER BY d.reported_at DESC, d.id LIMIT 200`, [officer.id]);
    const deviations = await Promise.all(rows.map((r) => toOfficer(r.json, r.unit_name)));
    for (const d of deviations) await log(deps.db, request, officer, 'read', 'deviation_list', d);
    return { deviations };
  });

  getRoute(app, deviationRoutes.officerGet, { preHandler: deps.requireSession }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const officer = await officerOf(request);
    const { rows } = await deps.db.query<{ json: string; unit_name: string }>(`${officerSql} AND d.id = $2`, [officer.id, id]);
    if (!rows[0]) throw new AppFailure('NOT_FOUND', 'Avvikelsen finns inte, eller gäller inget uppdrag som du har skickat.');
    const deviation = await toOfficer(rows[0].json, rows[0].unit_name);
    await log(deps.db, request, officer, 'read', 'deviation', deviation);
    return deviation;
  });
}

