import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { accessLogRoutes } from '#contract';
import { AppFailure } from '#contract';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory, type StaffDirectory } from '../auth/staff';
import type { Db } from '../db/types';
import { postRoute } from '../http/route';
import { syncScope } from '../sync/scope';
import { ACCESS_EVENT_MAX_AGE_MS, claimAccessEvents } from './access-event-claims';
import { SqlAccessLog } from './access-log';

export interface AccessLogRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  staff?: StaffDirectory;
}

/** A workstation clock a little ahead is tolerated; its events are logged at the server's time. */
const MAX_AHEAD_MS = 5 * 60_000;

/**
 * POST /api/v1/access-log/events (docs/journal.md): the reads, copies and exports the workstation
 * reports. All or nothing: every event's client must be in a unit the user held a permission for
 * at the event's time (so an event queued offline before a permission ended is still accepted),
 * else 403 FORBIDDEN and nothing is recorded. The actor comes from the session, the workstation
 * label from X-Workstation; the client's unit is looked up now. Changes are not accepted here:
 * the push logs them in the same transaction as the write. An event carrying its workstation-made
 * `id` is written once however often it is sent (access-event-claims.ts); `recorded` counts the batch's
 * events in the log either way, so a resend answers as the first send did.
 */
export function registerAccessLogRoutes(app: FastifyInstance, deps: AccessLogRouteDeps): void {
  const staff = deps.staff ?? new SqlStaffDirectory(deps.db);
  postRoute(app, accessLogRoutes.events, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const session = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');
    const now = deps.now();
    const workstation = workstationOf(request);
    const clientIds = [...new Set(body.events.map((e) => e.clientId))];
    const { rows } = await deps.db.query<{ id: string; unit_id: string }>('SELECT id, unit_id FROM clients WHERE id = ANY($1::uuid[])', [clientIds]);
    const unitOf = new Map(rows.map((r) => [r.id, r.unit_id]));
    const scopes = new Map<string, Set<string>>();
    const events: (Omit<(typeof body.events)[number], 'at'> & { at: Date })[] = [];
    for (const e of body.events) {
      let at = new Date(e.at);
      if (at.getTime() > now.getTime() + MAX_AHEAD_MS) throw new AppFailure('VALIDATION', 'The event lies in the future');
      if (at.getTime() > now.getTime()) at = now;
      if (now.getTime() - at.getTime() > ACCESS_EVENT_MAX_AGE_MS) throw new AppFailure('VALIDATION', 'The event is too old');
      const day = at.toISOString().slice(0, 10);
      let scope = scopes.get(day);
      if (!scope) {
        scope = new Set((await syncScope(staff, session.staffId, at)).map((u) => u.unitId));
        scopes.set(day, scope);
      }
      const unit = unitOf.get(e.clientId);
      // Unknown and out of scope answer alike.
      if (!unit || !scope.has(unit)) throw new AppFailure('FORBIDDEN', 'Du har inte behörighet till brukaren.');
      events.push({ ...e, at });
    }
    await deps.db.transaction(async (tx) => {
      const log = new SqlAccessLog(tx);
      const claimed = await claimAccessEvents(tx, session.staffId, [...new Set(events.flatMap((e) => (e.id ? [e.id] : [])))]);
      for (const e of events) {
        if (e.id && !claimed.delete(e.id)) continue; // sent before, or twice in this batch
        await log.record({
          action: e.action,
          outcome: 'success',
          actorStaffId: session.staffId,
          actorHsaId: session.hsaId,
          clientId: e.clientId,
          recordType: e.recordType,
          ...(e.recordId ? { recordId: e.recordId } : {}),
          ...(workstation ? { workstation } : {}),
          at: e.at,
        });
      }
    });
    return { recorded: events.length };
  });
}
