import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, MAX_ATTACHMENT_BYTES, messageRoutes, RecipientsQuery, ThreadListQuery, Uuid } from '#contract';
import { SqlAccessLog } from '../audit/access-log';
import { DEFAULT_ASSURANCE, type AssuranceLevels } from '../auth/assurance';
import { workstationOf } from '../auth/routes';
import { SqlStaffDirectory, type StaffDirectory } from '../auth/staff';
import type { Db } from '../db/types';
import { createOnce } from '../http/create-once';
import { getRoute, postRoute } from '../http/route';
import { syncScope } from '../sync/scope';
import { attach, attachment, listThreads, markThreadRead, readThread, recipients, reply, startThread, type Viewer } from './store';

export interface MessageRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  staff?: StaffDirectory;
  /** The level each function needs (server/auth/assurance.ts); absent: the defaults. */
  assurance?: AssuranceLevels;
}

const IdParams = z.object({ id: z.string() });
/** An id that is not a UUID names no thread: 404, like one the caller may not see. */
const idOf = (request: FastifyRequest, what = 'Samtalet finns inte eller är inte ditt.'): string => {
  const id = Uuid.safeParse(IdParams.parse(request.params).id);
  if (!id.success) throw new AppFailure('NOT_FOUND', what);
  return id.data;
};

/**
 * The messages API (`/api/v1/messages`, docs/messages.md) for everyone with a session: case
 * officers (threads they take part in; they start threads about any client or assignment) and
 * staff (threads they take part in and the inboxes of their units; the workstation itself works
 * through the sync feed). A thread, an inbox or a search outside the caller's reach answers 404.
 * Opening a thread tied to a client is a `read` in the access log; writing one a `change`. No
 * message text is ever logged: the routes log nothing of the body.
 */
export function registerMessageRoutes(app: FastifyInstance, deps: MessageRouteDeps): void {
  const staff = deps.staff ?? new SqlStaffDirectory(deps.db);
  const accessLog = new SqlAccessLog(deps.db);

  const viewerOf = async (request: FastifyRequest, now: Date): Promise<Viewer> => {
    const session = request.authSession;
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'No session');
    const member = await staff.findStaffByHsaId(session.hsaId);
    if (!member || member.id !== session.staffId) throw new AppFailure('UNAUTHENTICATED', 'The session has no staff member');
    return { staff: member, scope: (await syncScope(staff, member.id, now)).map((u) => u.unitId) };
  };
  const log = async (request: FastifyRequest, viewer: Viewer, e: { action: 'read' | 'change'; clientId?: string | null; recordType: string; recordId?: string }, now: Date) => {
    const workstation = workstationOf(request);
    await accessLog.record({
      action: e.action,
      outcome: 'success',
      actorStaffId: viewer.staff.id,
      actorHsaId: viewer.staff.hsaId,
      ...(e.clientId ? { clientId: e.clientId } : {}),
      recordType: e.recordType,
      ...(e.recordId ? { recordId: e.recordId } : {}),
      ...(workstation ? { workstation } : {}),
      at: now,
    });
  };
  /** A list naming clients: one `read` event per list (as the assignment list), per client it shows. */
  const logList = async (request: FastifyRequest, viewer: Viewer, clientIds: (string | null)[], now: Date) => {
    for (const clientId of new Set(clientIds.filter((c): c is string => c !== null))) await log(request, viewer, { action: 'read', clientId, recordType: 'message_threads' }, now);
  };

  getRoute(app, messageRoutes.list, { preHandler: deps.requireSession, query: ThreadListQuery }, async ({ query, request }) => {
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    const threads = await listThreads(deps.db, viewer, query);
    await logList(request, viewer, threads.map((t) => t.clientId), now);
    return { threads };
  });

  getRoute(app, messageRoutes.inbox, { preHandler: deps.requireSession, query: ThreadListQuery }, async ({ query, request }) => {
    const unitId = idOf(request, 'Inkorgen finns inte eller är inte din.');
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    const threads = await listThreads(deps.db, viewer, { ...query, unitId });
    await logList(request, viewer, threads.map((t) => t.clientId), now);
    return { threads };
  });

  getRoute(app, messageRoutes.get, { preHandler: deps.requireSession }, async ({ request }) => {
    const id = idOf(request);
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    const detail = await readThread(deps.db, viewer, id);
    if (detail.thread.clientId) await log(request, viewer, { action: 'read', clientId: detail.thread.clientId, recordType: 'message_thread', recordId: id }, now);
    return detail;
  });

  postRoute(app, messageRoutes.start, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    // The thread's own client-made id is the create's: the same id again answers the thread (createOnce).
    let clientId: string | null = null;
    const { recordId: threadId, created } = await createOnce(deps.db, { key: body.id, staffId: viewer.staff.id, route: 'messages.start' }, async (db) => {
      const started = await startThread(db, viewer, body, now);
      clientId = started.clientId;
      return started.threadId;
    });
    if (created) await log(request, viewer, { action: 'change', clientId, recordType: 'message_thread', recordId: threadId }, now);
    return readThread(deps.db, viewer, threadId);
  });

  postRoute(app, messageRoutes.reply, { preHandler: deps.requireSession }, async ({ body, request }) => {
    const id = idOf(request);
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    let clientId: string | null = null;
    const { created } = await createOnce(deps.db, { key: body.id, staffId: viewer.staff.id, route: 'messages.reply' }, async (db) => {
      clientId = (await reply(db, viewer, id, body, now)).clientId;
      return body.id ?? id;
    });
    if (created) await log(request, viewer, { action: 'change', clientId, recordType: 'message', recordId: id }, now);
    return readThread(deps.db, viewer, id);
  });

  postRoute(app, messageRoutes.read, { preHandler: deps.requireSession }, async ({ request }) => {
    const id = idOf(request);
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    const { marked, clientId } = await markThreadRead(deps.db, viewer, id, now);
    if (marked > 0) await log(request, viewer, { action: 'change', clientId, recordType: 'message_read', recordId: id }, now);
    return { marked };
  });

  // The PDF as base64 in JSON: a third larger than the file, and room for the rest of the body.
  postRoute(app, messageRoutes.attach, { preHandler: deps.requireSession, bodyLimit: Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 64 * 1024 }, async ({ body, request }) => {
    const id = idOf(request);
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    let clientId: string | null = null;
    const { recordId: messageId, created } = await createOnce(deps.db, { key: body.id, staffId: viewer.staff.id, route: 'messages.attach' }, async (db) => {
      const attached = await attach(db, viewer, id, body, now);
      clientId = attached.clientId;
      return attached.messageId;
    });
    if (created) await log(request, viewer, { action: 'change', clientId, recordType: 'message_attachment', recordId: messageId }, now);
    return readThread(deps.db, viewer, id);
  });

  getRoute(app, messageRoutes.attachment, { preHandler: deps.requireSession }, async ({ request }) => {
    const id = idOf(request, 'Bilagan finns inte eller är inte din.');
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    const { content, clientId } = await attachment(deps.db, viewer, id);
    // Logged before the PDF is handed out: a download whose logging failed is not one.
    if (clientId) await log(request, viewer, { action: 'read', clientId, recordType: 'message_attachment', recordId: id }, now);
    return content;
  });

  getRoute(app, messageRoutes.recipients, { preHandler: deps.requireSession, query: RecipientsQuery }, async ({ query, request }) => {
    const unitId = idOf(request, 'Enheten finns inte eller är inte din.');
    // Below client data's level (an LoA2 login, issue 29) only whom a thread about no client may name.
    const needed = (deps.assurance ?? DEFAULT_ASSURANCE).client_data;
    if ((query.clientId !== undefined || query.assignmentId !== undefined) && (request.authSession?.loa ?? needed) < needed) {
      throw new AppFailure('LOA_TOO_LOW', `Mottagare för ett samtal om en brukare eller ett uppdrag kräver tillitsnivå ${needed}. Logga in med SITHS-kortet eller med e-legitimation på tillitsnivå ${needed}.`);
    }
    const now = deps.now();
    const viewer = await viewerOf(request, now);
    return { people: await recipients(deps.db, viewer, unitId, now, query) };
  });
}
