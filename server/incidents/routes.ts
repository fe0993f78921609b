import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, fromSwedishLocalDateTime, incidentRoutes, Uuid } from '#contract';
import { activeRoles } from '../admin/roles';
import { SqlAccessLog } from '../audit/access-log';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { createOnce } from '../http/create-once';
import { getRoute, postRoute } from '../http/route';
import { syncScope } from '../sync/scope';
import {
  closeIncident,
  findIncident,
  incidentClientIds,
  incidentClients,
  insertIncident,
  listIncidents,
  recordMunicipalityReport,
  toIncident,
  type Reporter,
} from './store';

export interface IncidentRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
}

const NOT_FOUND = 'Incidenten finns inte.';
const NOT_PROVIDER = 'Säkerhetsincidenter rapporteras av utförarens personal.';
const NOT_ADMIN = 'Endast IT-kontaktpersonen (administratör) rapporterar incidenten till kommunen och stänger den.';
/** A workstation clock a little ahead of the server's is no reason to refuse "now". */
const CLOCK_SKEW_MS = 5 * 60_000;

interface Caller extends Reporter {
  hsaId: string;
  /** Holds it_contact in force: sees and acts on every incident of the organisation. */
  administrator: boolean;
  /** The units her it_contact grants are held on; null: the whole organisation (or none held). */
  administeredUnits: string[] | null;
}

/**
 * Security incidents (docs/incidents.md): anyone of the provider reports one and sees her own
 * reports; the administrator (it_contact in force) sees all of the organisation, records the
 * report to the municipality and closes it. An incident outside the caller's reach answers 404.
 * Whatever names a client is in the access log: the report and every later change a `change`,
 * opening one a `read`, per affected client (record type `security_incident`).
 */
export function registerIncidentRoutes(app: FastifyInstance, deps: IncidentRouteDeps): void {
  const accessLog = new SqlAccessLog(deps.db);
  const staff = new SqlStaffDirectory(deps.db);

  const callerOf = async (request: FastifyRequest, now: Date): Promise<Caller> => {
    const session = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');
    const { rows } = await deps.db.query<{ name: string; organisation_id: string | null; role: string }>(
      `SELECT given_name || ' ' || family_name AS name, organisation_id, role FROM staff WHERE id = $1`,
      [session.staffId],
    );
    const me = rows[0];
    if (!me?.organisation_id || me.role === 'case_officer') throw new AppFailure('FORBIDDEN', NOT_PROVIDER);
    const admin = (await activeRoles(deps.db, session.staffId, now)).filter((r) => r.role === 'it_contact');
    const administeredUnits = admin.length === 0 || admin.some((r) => r.unitId === null) ? null : admin.map((r) => r.unitId!);
    return { id: session.staffId, hsaId: session.hsaId, name: me.name, organisationId: me.organisation_id, administrator: admin.length > 0, administeredUnits };
  };
  const log = async (db: Queryable, request: FastifyRequest, caller: Caller, action: 'read' | 'change', incidentId: string, clientIds: readonly string[], at: Date) => {
    const workstation = workstationOf(request);
    const log = db === deps.db ? accessLog : new SqlAccessLog(db);
    for (const clientId of clientIds) {
      await log.record({ action, outcome: 'success', actorStaffId: caller.id, actorHsaId: caller.hsaId, clientId, recordType: 'security_incident', recordId: incidentId, ...(workstation ? { workstation } : {}), at });
    }
  };
  /** The incident if the caller may see it: her own report, or any of the organisation for the administrator. */
  const visible = async (db: Queryable, request: FastifyRequest, caller: Caller, lock = false) => {
    const id = Uuid.safeParse(z.object({ id: z.string() }).parse(request.params).id);
    if (!id.success) throw new AppFailure('NOT_FOUND', NOT_FOUND);
    const row = await findIncident(db, caller.organisationId, id.data, lock);
    if (!row || (!caller.administrator && row.reported_by_staff_id !== caller.id)) throw new AppFailure('NOT_FOUND', NOT_FOUND);
    return row;
  };
  /**
   * The units whose clients the caller may name and see named (null: every unit of the
   * organisation, for an organisation-wide administrator): those she holds a permission for today,
   * and those she administers. An administrator of one unit follows up every incident of the
   * organisation (the 48-hour duty is the organisation's) but sees only her units' clients named.
   */
  const unitsOf = async (caller: Caller, now: Date) => {
    if (caller.administrator && caller.administeredUnits === null) return null;
    const held = (await syncScope(staff, caller.id, now)).map((u) => u.unitId);
    return [...new Set([...held, ...(caller.administeredUnits ?? [])])];
  };
  /** One incident as answered to the caller (her clients named), with the read logged. */
  const answer = async (request: FastifyRequest, caller: Caller, id: string, now: Date, logRead: boolean) => {
    const row = (await findIncident(deps.db, caller.organisationId, id))!;
    const clients = await incidentClients(deps.db, id, await unitsOf(caller, now));
    if (logRead) await log(deps.db, request, caller, 'read', id, clients.map((c) => c.id), now);
    return toIncident(row, now, clients);
  };

  postRoute(app, incidentRoutes.report, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const now = deps.now();
    const caller = await callerOf(request, now);
    const discoveredAt = fromSwedishLocalDateTime(body.discoveredAt);
    if (discoveredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new AppFailure('VALIDATION', 'Tidpunkten då incidenten upptäcktes kan inte ligga i framtiden.');
    const wanted = [...new Set(body.personnummer)];
    const units = await unitsOf(caller, now);
    const { rows: clients } = await deps.db.query<{ id: string; personnummer: string }>(
      `SELECT c.id, c.personnummer FROM clients c JOIN units u ON u.id = c.unit_id
        WHERE c.personnummer = ANY($1::text[]) AND u.organisation_id = $2 AND ($3::uuid[] IS NULL OR c.unit_id = ANY($3::uuid[]))`,
      [wanted, caller.organisationId, units],
    );
    if (clients.length !== wanted.length) {
      const missing = wanted.findIndex((p) => !clients.some((c) => c.personnummer === p));
      throw new AppFailure('VALIDATION', `Personnummer nr ${missing + 1} finns inte bland ${units === null ? 'organisationens' : 'dina'} brukare.`);
    }
    const { recordId: id } = await createOnce(deps.db, { key: body.requestId, staffId: caller.id, route: 'incidents.report' }, (db) => db.transaction(async (tx) => {
      const id = await insertIncident(tx, caller, { what: body.what, systems: body.systems.trim(), discoveredAt, clientIds: clients.map((c) => c.id) }, now);
      await log(tx, request, caller, 'change', id, clients.map((c) => c.id), now);
      return id;
    }));
    return answer(request, caller, id, now, false);
  });

  getRoute(app, incidentRoutes.list, { preHandler: deps.requireSession }, async ({ request }) => {
    const now = deps.now();
    const caller = await callerOf(request, now);
    // No client is named in the list (only their number): nothing to log until one is opened.
    const rows = await listIncidents(deps.db, caller.organisationId, caller.administrator ? null : caller.id);
    return { scope: caller.administrator ? 'organisation' : 'own', now: now.toISOString(), incidents: rows.map((r) => toIncident(r, now, null)) } as const;
  });

  getRoute(app, incidentRoutes.get, { preHandler: deps.requireSession }, async ({ request }) => {
    const now = deps.now();
    const caller = await callerOf(request, now);
    const row = await visible(deps.db, request, caller);
    return answer(request, caller, row.id, now, true);
  });

  /** The administrator's acts: the incident locked, the state checked, the change and its log events in one transaction. */
  type Row = NonNullable<Awaited<ReturnType<typeof findIncident>>>;
  const adminAct = async (request: FastifyRequest, act: (tx: Queryable, caller: Caller, row: Row, now: Date) => Promise<void>) => {
    const now = deps.now();
    const caller = await callerOf(request, now);
    if (!caller.administrator) throw new AppFailure('FORBIDDEN', NOT_ADMIN);
    const id = await deps.db.transaction(async (tx) => {
      const row = await visible(tx, request, caller, true);
      await act(tx, caller, row, now);
      await log(tx, request, caller, 'change', row.id, await incidentClientIds(tx, row.id), now);
      return row.id;
    });
    return answer(request, caller, id, now, false);
  };

  postRoute(app, incidentRoutes.municipality, { preHandler: deps.requireSession }, async ({ body, request }) =>
    adminAct(request, async (tx, caller, row, now) => {
      if (row.municipality_reported_at !== null) throw new AppFailure('CONFLICT', 'Incidenten är redan rapporterad till kommunen.');
      const at = fromSwedishLocalDateTime(body.reportedAt);
      if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new AppFailure('VALIDATION', 'Tidpunkten för rapporten kan inte ligga i framtiden.');
      if (at.getTime() < new Date(row.discovered_at).getTime()) throw new AppFailure('VALIDATION', 'Rapporten till kommunen kan inte ligga före upptäckten.');
      await recordMunicipalityReport(tx, row.id, caller, { at, channel: body.channel, reference: body.reference.trim() });
    }),
  );

  postRoute(app, incidentRoutes.close, { preHandler: deps.requireSession }, async ({ body, request }) =>
    adminAct(request, async (tx, caller, row, now) => {
      if (row.closed_at !== null) throw new AppFailure('CONFLICT', 'Incidenten är redan stängd.');
      if (row.municipality_reported_at === null) throw new AppFailure('CONFLICT', 'Anteckna rapporten till kommunen innan incidenten stängs.');
      await closeIncident(tx, row.id, caller, body.comment.trim(), now);
    }),
  );
}
