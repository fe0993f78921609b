import type { AttachmentKind } from '#contract';
import { api } from '../../bridge';
import { createOnce } from '../../state/create-id';

/**
 * What the message screens do beside the threads the store holds (messages-store.ts), as plain
 * functions over the API client (docs/messages.md): the components call these and never the
 * bridge. Each answers the API's Result as it came.
 */

type StartInput = Omit<Parameters<typeof api.messages.start>[0], 'requestId'>;

/** The threads about an assignment, or else a client (the panel on its page). */
export const threadsAbout = ({ clientId, assignmentId }: { clientId?: string | undefined; assignmentId?: string | undefined }) =>
  api.messages.list({ limit: 50, ...(assignmentId ? { assignmentId } : clientId ? { clientId } : {}) });

/** Whom a new thread of the unit may go to (about a client or an assignment: only who may see the client). */
export const recipientsFor = (unitId: string, about: { clientId: string | null; assignmentId: string | null }) => api.messages.recipients({ unitId, ...about });

/** Sends a new thread, once per unit and subject (client or assignment) until it succeeds. */
export const startThread = (input: StartInput) =>
  createOnce(`thread:${input.unitId}:${input.assignmentId ?? input.clientId ?? ''}`, (requestId) => api.messages.start({ requestId, ...input }));

/** Attaches the client's journal or plan as a PDF (with the reply's text), once per thread until it succeeds. */
export const attachToThread = (threadId: string, kind: AttachmentKind, text: string) =>
  createOnce(`attach:${threadId}`, (requestId) => api.messages.attach({ requestId, threadId, kind, text }));

/** Fetches an attachment's PDF and saves it in the exports folder. */
export const openAttachment = (attachmentId: string) => api.messages.openAttachment({ attachmentId });

/** What a new thread is about, from the store: the assignment (if any), then the client (if any); null where not found. */
export async function aboutRecords({ clientId, assignmentId }: { clientId: string | null; assignmentId: string | null }) {
  const a = assignmentId ? await api.inbox.stored({ id: assignmentId }) : null;
  const c = clientId ? await api.clients.get({ id: clientId }) : null;
  return { assignment: a?.ok ? a.value : null, client: c?.ok ? c.value : null };
}
