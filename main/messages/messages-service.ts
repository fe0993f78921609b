import { randomUUID } from 'node:crypto';
import { AppFailure, type Author, type LocalMessage, type MessageDraft, type LocalThreadDetail, type LocalThreadSummary, type Mutation } from '#contract';
import type { AccessReporter } from '../journal/access-reporter';
import type { UserData } from '../sync/user-data';

export interface MessagesDeps {
  data: Pick<UserData, 'current' | 'store'>;
  author: () => Author;
  access: Pick<AccessReporter, 'record'>;
  /** After a local write: tell the renderer. */
  emit: (kinds: string[]) => void;
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
    if (!detail) throw new AppFailure('NOT_FOUND', 'Samtalet finns inte');
    if (detail.thread.clientId) await this.deps.access.record({ action: 'read', clientId: detail.thread.clientId, recordType: 'message_thread', recordId: detail.thread.id });
    return detail;
  }

  async markRead(q: { threadId: string }): Promise<{ marked: number }> {
    const { store, engine } = await this.deps.data.current();
    const ids = await store.read('message', 'unreadIds', { threadId: q.threadId, me: this.me() });
    if (ids.length === 0) return { marked: 0 };
    const author = this.deps.author();
    const now = new Date();
    for (const id of ids) await store.enqueue({ ...base(now), type: 'message.mark_read', record: { id } } satisfies Of<'message.mark_read'>, author);
    this.wrote(engine);
    return { marked: ids.length };
  }

  async start(input: StartInput): Promise<LocalThreadDetail> {
    const { store, engine } = await this.deps.data.current();
    const author = this.deps.author();
    const now = new Date();
    const thread: Of<'message_thread.create'> = {
      ...base(now),
      type: 'message_thread.create',
      record: { id: randomUUID(), unitId: input.unitId, subject: input.subject, clientId: input.clientId, assignmentId: input.assignmentId, toUnit: input.toUnit, participantIds: input.participantIds },
    };
    const message: Of<'message.send'> = { ...base(now), type: 'message.send', record: { id: randomUUID(), threadId: thread.record.id, text: input.text } };
    // One after the other in the outbox: the server gets them in this order, in one batch when online.
    await store.enqueue(thread, author);
    await store.enqueue(message, author);
    await store.read('message', 'deleteDraft', { key: newDraftKey(input) });
    this.wrote(engine);
    return (await store.read('message', 'thread', { threadId: thread.record.id }))!;
  }

  async reply(input: { threadId: string; text: string }): Promise<LocalMessage> {
    const { store, engine } = await this.deps.data.current();
    const m: Of<'message.send'> = { ...base(new Date()), type: 'message.send', record: { id: randomUUID(), threadId: input.threadId, text: input.text } };
    await store.enqueue(m, this.deps.author());
    await store.read('message', 'deleteDraft', { key: input.threadId });
    this.wrote(engine);
    const detail = await store.read('message', 'thread', { threadId: input.threadId });
    return detail!.messages.find((x) => x.id === m.record.id)!;
  }

  async unreadCount(): Promise<{ unread: number }> {
    return { unread: await (await this.deps.data.store()).read('message', 'unreadTotal', { me: this.me() }) };
  }

  async saveDraft(d: { key: string; unitId: string; subject: string; text: string }): Promise<MessageDraft> {
    return (await this.deps.data.store()).read('message', 'saveDraft', { ...d, savedAt: new Date().toISOString() });
  }

  async draft(q: { key: string }): Promise<MessageDraft | null> {
    return (await this.deps.data.store()).read('message', 'draft', q);
  }

  private wrote(engine: { kick(): void; publishStatus(): Promise<unknown> }) {
    engine.kick();
    this.deps.emit(['message_thread', 'message']);
    void engine.publishStatus();
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
  };
}
