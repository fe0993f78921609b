import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { AppFailure, type PermittedUnit } from '#contract';
import { API_VERSION, API_VERSION_HEADER, PULL_NEXT_HEADER, statedApiVersion, syncRoutes } from '#contract';
import { SqlAccessLog } from '../audit/access-log';
import { DEFAULT_ASSURANCE, pullKinds, type AssuranceLevels } from '../auth/assurance';
import { bearerToken, workstationOf } from '../auth/routes';
import type { AuthSession } from '../auth/service';
import { SqlStaffDirectory, type StaffDirectory } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { postJsonTextRoute, postRoute } from '../http/route';
import { openEventStream, type OpenStream } from './events';
import type { CodeLists } from './kind';
import type { SyncNotifier } from './notifier';
import { pullChanges } from './pull';
import { applyMutations } from './push';
import type { SyncRegistry } from './registry';
import type { RetentionDays } from './retention';
import { syncScope } from './scope';

export interface SyncRouteDeps {
  db: Db;
  /** The kinds synced (server/kinds.ts, handed in by server/app.ts). */
  registry: SyncRegistry;
  requireSession: preHandlerAsyncHookHandler;
  /** Re-checks a session (event streams); absent when the server has no login. */
  authenticate?: (token: string | undefined) => Promise<AuthSession>;
  notifier: SyncNotifier;
  /** Every retained kind's period (retentionDaysOf). */
  retentionDays: RetentionDays;
  now: () => Date;
  keepAliveMs: number;
  coalesceMs: number;
  /** The random delay up to which `changed` for a write is spread per stream (EventStreamDeps.spreadMs). */
  spreadMs: number;
  /** Open event streams per session; opening one more closes the oldest (default 4). */
  streamsPerSession?: number;
  staff?: StaffDirectory;
  /** Counters of /metrics: pushed mutations by result, events written to streams. */
  metrics?: { pushed(status: string): void; sent(event: string): void; pullStage?(stage: 'session' | 'scope' | 'page' | 'log', seconds: number): void };
  /** The level each function needs: a lower session's pull holds only its level's kinds (server/auth/assurance.ts). */
  assurance?: AssuranceLevels;
  /** The organisation's code lists (KSI) pushed mutations are checked against. */
  codes: CodeLists;
}

/**
 * POST /api/v1/sync/pull, POST /api/v1/sync/push, GET /api/v1/sync/events (docs/sync.md), all
 * behind the session. Returns the open event streams, for closing them when the server closes.
 */
export function registerSyncRoutes(app: FastifyInstance, deps: SyncRouteDeps): Set<OpenStream> {
  const staff = deps.staff ?? new SqlStaffDirectory(deps.db);

  const accessLog = new SqlAccessLog(deps.db);
  const streams = new Set<OpenStream>();
  const sessionOf = (s: AuthSession | null): AuthSession => {
    if (!s) throw new AppFailure('UNAUTHENTICATED', 'No session');
    return s;
  };

  postJsonTextRoute(app, syncRoutes.pull, { preHandler: deps.requireSession }, async ({ body, request, reply }) => {
    const session = sessionOf(request.authSession);
    const stage = deps.metrics?.pullStage;
    stage?.('session', reply.elapsedTime / 1000);
    let t = performance.now();
    const lap = (name: 'scope' | 'page' | 'log') => {
      const t1 = performance.now();
      stage?.(name, (t1 - t) / 1000);
      t = t1;
    };
    const now = deps.now();
    // The scope is read in the pull's own transaction (its snapshot, its connection: one pooled
    // connection fewer to wait for), unless a staff directory was handed in.
    let units: PermittedUnit[] | ((tx: Queryable) => Promise<PermittedUnit[]>);
    if (deps.staff) {
      units = await syncScope(deps.staff, session.staffId, now);
      lap('scope');
    } else units = (tx) => syncScope(new SqlStaffDirectory(tx), session.staffId, now);
    const page = await pullChanges(deps.db, deps.registry.pull, {
      units,
      cursors: body.cursors,
      ...(body.limit !== undefined ? { limit: body.limit } : {}),
      now,
      retentionDays: deps.retentionDays,
      staffId: session.staffId,
      ...pullKinds(deps.assurance ?? DEFAULT_ASSURANCE, session.loa),
      apiVersion: statedApiVersion(request.headers[API_VERSION_HEADER]) ?? API_VERSION,
    });
    lap('page');
    // One access-log event per pull that handed out records, not one per record (a full sync of
    // a unit is tens of thousands): opening a record on the workstation is logged as its read.
    if (page.count > 0) {
      const workstation = workstationOf(request);
      await accessLog.record({
        action: 'read',
        outcome: 'success',
        actorStaffId: session.staffId,
        actorHsaId: session.hsaId,
        recordType: 'sync',
        ...(workstation ? { workstation } : {}),
        at: now,
      });
      lap('log');
    }
    // The next page's cursors up front, so the workstation can ask for it before it has read this one.
    reply.header(PULL_NEXT_HEADER, JSON.stringify(page.next));
    return page.json;
  });

  postRoute(app, syncRoutes.push, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const session = sessionOf(request.authSession);
    const now = deps.now();
    const member = await staff.findStaffByHsaId(session.hsaId);
    if (!member || member.id !== session.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    const scope = new Set((await syncScope(staff, session.staffId, now)).map((u) => u.unitId));
    const workstation = workstationOf(request);
    // Below client data's level (an LoA2 login, issue 29) only client-free message writes are decided.
    const clientData = session.loa >= (deps.assurance ?? DEFAULT_ASSURANCE).client_data;
    const { results, changed, failure } = await applyMutations(deps.db, deps.registry.push, body.mutations, { staff: member, scope, now, clientData, codes: deps.codes, ...(workstation ? { workstation } : {}) });
    // What was committed is announced even if a later mutation failed.
    deps.notifier.publish(changed);
    for (const r of results) deps.metrics?.pushed(r.status);
    if (failure) throw failure;
    return { results };
  });

  app.get(syncRoutes.events.path, { preHandler: deps.requireSession }, async (request, reply) => {
    const session = sessionOf(request.authSession);
    const authenticate = deps.authenticate;
    if (!authenticate) throw new AppFailure('UNAUTHENTICATED', 'No session');
    await openEventStream(
      request,
      reply,
      bearerToken(request),
      session,
      {
        notifier: deps.notifier,
        authenticate,
        scope: async (staffId) => (await syncScope(staff, staffId, deps.now())).map((u) => u.unitId),
        keepAliveMs: deps.keepAliveMs,
        coalesceMs: deps.coalesceMs,
        spreadMs: deps.spreadMs,
        now: deps.now,
        ...(deps.metrics ? { onSent: deps.metrics.sent } : {}),
        streamsPerSession: deps.streamsPerSession ?? 4,
      },
      streams,
    );
    return reply;
  });

  return streams;
}
