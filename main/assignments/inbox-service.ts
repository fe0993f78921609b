import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  AppFailure,
  because,
  assignmentPath,
  assignmentRoutes,
  type EventName,
  type EventPayload,
  type Assignment,
  type InboxActResult,
  type InboxDetail,
  type InboxPage,
  type InboxQueryParsed,
  type ProviderAction,
  type DistributionTarget,
  type UnitStaffMember,
} from '#contract';
import type { RouteSpec, ServerClient } from '../server-client';
import type { UserData } from '../sync/user-data';

export interface InboxDeps {
  data: Pick<UserData, 'current' | 'store'>;
  server: ServerClient;
  /** The session's token; throws without an unlocked session. */
  token: () => string;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
}

/** How long an action waits for the pull that brings its result into the store. */
const SYNC_WAIT_MS = 3_000;
/**
 * How long an action waits for the server's answer. Past it the outcome is unknown (the server may
 * have applied it and answered late): the UI says so and asks again with the same requestId.
 */
export const ACTION_TIMEOUT_MS = 8_000;

/**
 * The assignment inbox (docs/assignments.md, "The workstation side"). Lists come from the
 * encrypted local store, which the sync keeps current (so the inbox reads offline); opening one
 * reads the store and, online, the server — that GET is the read in the server's access log;
 * actions go to the server with a requestId, then a pull brings the new state. An action that got
 * no answer is `unknown`, never "failed": the same requestId again finds out (the server applies it
 * at most once).
 */
export class InboxService {
  constructor(private readonly deps: InboxDeps) {}

  async list(q: InboxQueryParsed): Promise<InboxPage> {
    return (await this.deps.data.store()).inboxList(q);
  }

  async get(id: string): Promise<InboxDetail> {
    const store = await this.deps.data.store();
    const local = await store.inboxAssignment(id);
    try {
      const assignment = await this.deps.server.call({ ...assignmentRoutes.get, path: assignmentPath(assignmentRoutes.get.path, id) }, { token: this.deps.token() });
      return { assignment, offline: false };
    } catch (e) {
      if (e instanceof AppFailure && e.code === 'SERVER_UNREACHABLE' && local) return { assignment: local, offline: true };
      throw e;
    }
  }

  /** The stored copy (the sync keeps it current): the open detail's live refresh. Not a server read, so not logged again. */
  async stored(id: string): Promise<Assignment | null> {
    return (await this.deps.data.store()).inboxAssignment(id);
  }

  async act(id: string, action: ProviderAction): Promise<InboxActResult> {
    const { engine } = await this.deps.data.current();
    const requestId = action.requestId ?? randomUUID();
    let assignment;
    try {
      assignment = await this.deps.server.call(
        { ...assignmentRoutes.act, path: assignmentPath(assignmentRoutes.act.path, id) },
        { body: { ...action, requestId }, token: this.deps.token(), timeoutMs: ACTION_TIMEOUT_MS },
      );
    } catch (e) {
      // No answer, or not the server's own (a 5xx, a gateway, a cut-off body): it may have been
      // applied. A refusal (CONFLICT, VALIDATION, NOT_FOUND, …) is the server's word and goes back as it is.
      if (e instanceof AppFailure && (e.code === 'SERVER_UNREACHABLE' || e.code === 'SERVER_ERROR')) {
        void engine.syncNow().catch(() => undefined);
        return { outcome: 'unknown', requestId };
      }
      throw e;
    }
    // Bring the new state into the store (the list reads it), but do not keep the user waiting long.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([engine.syncNow().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, SYNC_WAIT_MS)))]);
    clearTimeout(timer);
    this.deps.emit('data.changed', { kinds: ['assignment'] });
    return { outcome: 'applied', assignment, offline: false };
  }

  /** Who may be named in a distribution to `unitId` (the server checks the unit is the user's). */
  async staff(unitId: string): Promise<UnitStaffMember[]> {
    return (await this.online(assignmentRoutes.staff, unitId)).staff;
  }

  /** Where the assignment may be distributed: the user's units that provide its kind of service (the server decides). */
  async targets(id: string): Promise<DistributionTarget[]> {
    return (await this.online(assignmentRoutes.targets, id)).units;
  }

  /** A read the server answers (online only), with the offline message a user can act on. */
  private async online<R extends z.ZodType>(route: RouteSpec<R>, id: string): Promise<z.infer<R>> {
    try {
      return await this.deps.server.call({ ...route, path: assignmentPath(route.path, id) }, { token: this.deps.token() });
    } catch (e) {
      if (e instanceof AppFailure && e.code === 'SERVER_UNREACHABLE') throw new AppFailure('SERVER_UNREACHABLE', 'an assignment action needs the server', because('ASSIGNMENT_NEEDS_SERVER'));
      throw e;
    }
  }
}

/** The `inbox.*` handlers of the contract (registered in main/app.ts). */
export function inboxHandlers(deps: InboxDeps) {
  const svc = new InboxService(deps);
  return {
    list: (q: InboxQueryParsed) => svc.list(q),
    get: ({ id }: { id: string }) => svc.get(id),
    stored: ({ id }: { id: string }) => svc.stored(id),
    act: ({ id, action }: { id: string; action: ProviderAction }) => svc.act(id, action),
    staff: ({ unitId }: { unitId: string }) => svc.staff(unitId),
    targets: ({ id }: { id: string }) => svc.targets(id),
  };
}
