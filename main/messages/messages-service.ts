import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AppFailure,
  because,
  MAX_ATTACHMENT_BYTES,
  messageRoutes,
  type AttachmentKind,
  type Author,
  type LocalMessage,
  type LocalThreadDetail,
  type LocalThreadSummary,
  type MessageDraft,
  type Mutation,
  type Recipient,
} from '#contract';
import type { AccessReporter } from '../access/access-reporter';
import type { ServerClient } from '../server-client';
import type { UserData } from '../sync/user-data';

/** A PDF the workstation produced for a client (an `export` in the access log already). */
export type ProducedPdf = { pdf: Buffer; fileName: string };

export interface MessagesDeps {
  data: Pick<UserData, 'current' | 'store'>;
  author: () => Author;
  access: Pick<AccessReporter, 'record'>;
  /** After a local write: push soon, tell the renderer (main/app.ts). */
  written: (kinds: string[]) => void;
  /** The municipal server: attaching a PDF, opening one and the list of recipients need a connection. */
  server: ServerClient;
  token: () => string;
  /** The PDFs the product itself produces for a client (main/journal, main/plans): nothing else can be attached. */
  produce: Record<AttachmentKind, (clientId: string) => Promise<ProducedPdf>>;
  /** Where an opened attachment is saved (the exports folder, as the journal's PDFs). */
  exportsDir: string;
}

type Of<T extends Mutation['type']> = Extract<Mutation, { type: T }>;
const base = (now: Date) => ({ mutationId: randomUUID(), createdAt: now.toISOString() });

export interface StartInput {
  unitId: string;
  subject: string;
  clientId: string | null;
  assignmentId: string | null;
  toUnit: boolean;
  participantIds: string[];
  text: string;
  /** The form's client-made id: the thread's id (docs/sync.md "Every create once"). */
  requestId?: string | undefined;
}

/**
 * Secure messages on the workstation (docs/messages.md): the user's threads from the encrypted
 * store (only threads the user may read are ever synced to it), search in them, a thread opened
 * (a read in the access log when it is tied to a client: the text itself is never logged), and
 * writing — a new thread, a reply, receipts — through the outbox, so a message written offline
 * is "Ej skickat" until it is sent, exactly once.
 */
export class MessagesService {
  constructor(private readonly deps: MessagesDeps) {}

  private me = () => this.deps.author().staffId;

  async list(q: { query?: string; clientId?: string; assignmentId?: string; limit: number }): Promise<LocalThreadSummary[]> {
    const store = await this.deps.data.store();
    return store.read('message', 'threads', { me: this.me(), ...q });
  }

  async get(q: { threadId: string }): Promise<LocalThreadDetail> {
    const detail = await (await this.deps.data.store()).read('message', 'thread', q);
    if (!detail) throw new AppFailure('NOT_FOUND', 'thread not found', because('THREAD_NOT_FOUND'));
    if (detail.thread.clientId) await this.deps.access.record({ action: 'read', clientId: detail.thread.clientId, recordType: 'message_thread', recordId: detail.thread.id });
    return detail;
  }

  async markRead(q: { threadId: string }): Promise<{ marked: number }> {
    const { store } = await this.deps.data.current();
    const ids = await store.read('message', 'unreadIds', { threadId: q.threadId, me: this.me() });
    if (ids.length === 0) return { marked: 0 };
    const author = this.deps.author();
    const now = new Date();
    for (const id of ids) await store.enqueue({ ...base(now), type: 'message.mark_read', record: { id } } satisfies Of<'message.mark_read'>, author);
    this.deps.written(['message_thread', 'message']);
    return { marked: ids.length };
  }

  async start(input: StartInput): Promise<LocalThreadDetail> {
    const { store, engine } = await this.deps.data.current();
    // A new store (a first login, or the first at a lower assurance level) knows its units only
    // after its first pull; a thread written in those first seconds was refused here as "not among
    // your units" and never sent. So an unknown unit waits for one sync run first; offline, the
    // store's check below still refuses it.
    if (!(await store.units()).some((u) => u.unitId === input.unitId)) await engine.syncNow().catch(() => undefined);
    const author = this.deps.author();
    const now = new Date();
    const thread: Of<'message_thread.create'> = {
      ...base(now),
      type: 'message_thread.create',
      record: { id: input.requestId ?? randomUUID(), unitId: input.unitId, subject: input.subject, clientId: input.clientId, assignmentId: input.assignmentId, toUnit: input.toUnit, participantIds: input.participantIds },
    };
    const message: Of<'message.send'> = { ...base(now), type: 'message.send', record: { id: randomUUID(), threadId: thread.record.id, text: input.text } };
    // One after the other in the outbox: the server gets them in this order, in one batch when online.
    await store.enqueue(thread, author);
    await store.enqueue(message, author);
    await store.write('message', 'deleteDraft', { key: newDraftKey(input) });
    this.deps.written(['message_thread', 'message']);
    return (await store.read('message', 'thread', { threadId: thread.record.id }))!;
  }

  async reply(input: { threadId: string; text: string; requestId?: string | undefined }): Promise<LocalMessage> {
    const { store } = await this.deps.data.current();
    const m: Of<'message.send'> = { ...base(new Date()), type: 'message.send', record: { id: input.requestId ?? randomUUID(), threadId: input.threadId, text: input.text } };
    await store.enqueue(m, this.deps.author());
    await store.write('message', 'deleteDraft', { key: input.threadId });
    this.deps.written(['message_thread', 'message']);
    const detail = await store.read('message', 'thread', { threadId: input.threadId });
    return detail!.messages.find((x) => x.id === m.record.id)!;
  }

  /**
   * A message carrying a PDF the workstation produces now — the thread's client's journal or
   * current implementation plan — sent straight to the server (not through the outbox: the PDF
   * is not kept in the store). Needs a connection; offline the user is told so and nothing is
   * half-sent. The message comes back through the feed (a sync now), with its attachment.
   */
  async attach(input: { threadId: string; kind: AttachmentKind; text: string; requestId?: string | undefined }): Promise<LocalThreadDetail> {
    const { store, engine } = await this.deps.data.current();
    const detail = await store.read('message', 'thread', { threadId: input.threadId });
    if (!detail) throw new AppFailure('NOT_FOUND', 'thread not found', because('THREAD_NOT_FOUND'));
    const clientId = detail.thread.clientId;
    if (!clientId) throw new AppFailure('VALIDATION', 'attachment needs a thread about a client', because('ATTACHMENT_NEEDS_CLIENT_THREAD'));
    if (detail.thread.pending) throw new AppFailure('VALIDATION', 'thread not yet sent', because('MESSAGE_THREAD_PENDING'));
    const { pdf, fileName } = await this.deps.produce[input.kind](clientId);
    if (pdf.length > MAX_ATTACHMENT_BYTES) throw new AppFailure('VALIDATION', 'attachment over 2 MB', because('ATTACHMENT_TOO_LARGE'));
    const text = input.text.trim() || (input.kind === 'journal' ? 'Journalutdrag bifogat.' : 'Genomförandeplan bifogad.');
    const route = { ...messageRoutes.attach, path: messageRoutes.attach.path.replace(':id', input.threadId) };
    await this.deps.server.call(route, { body: { id: input.requestId ?? randomUUID(), text, kind: input.kind, fileName, content: pdf.toString('base64') }, token: this.deps.token() });
    await store.write('message', 'deleteDraft', { key: input.threadId });
    await engine.syncNow();
    this.deps.written(['message_thread', 'message']);
    return (await store.read('message', 'thread', { threadId: input.threadId }))!;
  }

  /** An attachment's PDF from the server (the server logs the read), saved in the exports folder. */
  async openAttachment(input: { attachmentId: string }): Promise<{ path: string; fileName: string; bytes: number }> {
    const route = { ...messageRoutes.attachment, path: messageRoutes.attachment.path.replace(':id', input.attachmentId) };
    const a = await this.deps.server.call(route, { token: this.deps.token() });
    const pdf = Buffer.from(a.content, 'base64');
    await mkdir(this.deps.exportsDir, { recursive: true, mode: 0o700 });
    const file = path.join(this.deps.exportsDir, `bilaga-${a.fileName}`);
    await writeFile(file, pdf, { mode: 0o600 });
    return { path: file, fileName: path.basename(file), bytes: pdf.length };
  }

  /** Whom a new thread in the unit may name (from the server: needs a connection). */
  async recipients(input: { unitId: string; clientId?: string | null | undefined; assignmentId?: string | null | undefined }): Promise<Recipient[]> {
    const about = new URLSearchParams();
    if (input.clientId) about.set('clientId', input.clientId);
    if (input.assignmentId) about.set('assignmentId', input.assignmentId);
    const query = about.size > 0 ? `?${about.toString()}` : '';
    const route = { ...messageRoutes.recipients, path: `${messageRoutes.recipients.path.replace(':id', input.unitId)}${query}` };
    return (await this.deps.server.call(route, { token: this.deps.token() })).people;
  }

  async unreadCount(): Promise<{ unread: number }> {
    return { unread: await (await this.deps.data.store()).read('message', 'unreadTotal', { me: this.me() }) };
  }

  async saveDraft(d: { key: string; unitId: string; subject: string; text: string }): Promise<MessageDraft> {
    return (await this.deps.data.store()).write('message', 'saveDraft', { ...d, savedAt: new Date().toISOString() });
  }

  async draft(q: { key: string }): Promise<MessageDraft | null> {
    return (await this.deps.data.store()).read('message', 'draft', q);
  }
}

/** The draft of a new thread: per unit and what it is about. */
export const newDraftKey = (i: { unitId: string; assignmentId: string | null; clientId: string | null }) => `new:${i.unitId}:${i.assignmentId ?? i.clientId ?? ''}`;

/** The `messages` API namespace over the service. */
export function messagesHandlers(deps: MessagesDeps) {
  const svc = new MessagesService(deps);
  return {
    list: (q: Parameters<MessagesService['list']>[0]) => svc.list(q),
    get: (q: { threadId: string }) => svc.get(q),
    markRead: (q: { threadId: string }) => svc.markRead(q),
    start: (input: StartInput) => svc.start(input),
    reply: (input: { threadId: string; text: string }) => svc.reply(input),
    unreadCount: () => svc.unreadCount(),
    saveDraft: (d: { key: string; unitId: string; subject: string; text: string }) => svc.saveDraft(d),
    draft: (q: { key: string }) => svc.draft(q),
    attach: (input: { threadId: string; kind: AttachmentKind; text: string }) => svc.attach(input),
    openAttachment: (input: { attachmentId: string }) => svc.openAttachment(input),
    recipients: (input: { unitId: string; clientId?: string | null | undefined; assignmentId?: string | null | undefined }) => svc.recipients(input),
  };
}
