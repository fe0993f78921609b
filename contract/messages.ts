import { z } from 'zod';
import { call } from './call';
import { Uuid } from './domain';
import { Author, defineMutation, defineSyncKind } from './sync-kind';
import { IsoDateTime, Label, WrittenText } from './values';

/**
 * Secure messages (meddelanden med sekretesskydd), docs/messages.md: threads (samtal) between
 * provider staff and case officers, or colleagues, with a subject and participants — named people
 * and/or a whole unit's inbox — optionally tied to a client and/or an assignment. A sent message is
 * never changed or deleted (the database refuses it); a read is a receipt the sender sees.
 *
 * Secrecy, enforced by the server: a thread is visible to its participants, and a unit-inbox thread
 * also to every staff member with a current permission for its unit. The sync feed carries a thread
 * and its messages only to those (server/messages/sync.ts); anyone else gets 404 from the API.
 */

export const MAX_MESSAGE_TEXT = 10_000;
export const MAX_SUBJECT = 200;
export const MAX_PARTICIPANTS = 20;

/** A person in a thread, named as the server knows them. */
export const MessageParticipant = z.object({ staffId: Uuid, name: z.string(), title: z.string() });
export type MessageParticipant = z.infer<typeof MessageParticipant>;

/** A thread (samtal). `unitId`: the provider unit it belongs to (its feed, and its inbox when `toUnit`). */
export const MessageThreadRecord = z.object({
  id: Uuid,
  unitId: Uuid,
  subject: z.string().min(1).max(MAX_SUBJECT),
  clientId: Uuid.nullable(),
  assignmentId: Uuid.nullable(),
  /** Addressed to the unit's inbox: whoever holds a current permission for the unit sees it. */
  toUnit: z.boolean(),
  /** Named participants, the thread's author among them. */
  participants: z.array(MessageParticipant),
  author: Author,
  createdAt: IsoDateTime,
});
export type MessageThreadRecord = z.infer<typeof MessageThreadRecord>;

/** Who read a message, when (läskvitto). */
export const MessageRead = z.object({ staffId: Uuid, name: z.string(), readAt: IsoDateTime });
export type MessageRead = z.infer<typeof MessageRead>;

export const MessageRecord = z.object({
  id: Uuid,
  threadId: Uuid,
  unitId: Uuid,
  text: z.string().min(1).max(MAX_MESSAGE_TEXT),
  author: Author,
  createdAt: IsoDateTime,
  /** Read receipts, oldest first; the author's own reading is not one. */
  reads: z.array(MessageRead),
});
export type MessageRecord = z.infer<typeof MessageRecord>;

const Subject = Label(MAX_SUBJECT);
const Participants = z.array(Uuid).max(MAX_PARTICIPANTS);

export const MessageThreadCreate = defineMutation(
  'message_thread.create',
  z.object({ id: Uuid, unitId: Uuid, subject: Subject, clientId: Uuid.nullable(), assignmentId: Uuid.nullable(), toUnit: z.boolean(), participantIds: Participants }).strict(),
);
/** A message in a thread; once the server has it, it is never changed. */
export const MessageSend = defineMutation('message.send', z.object({ id: Uuid, threadId: Uuid, text: WrittenText(MAX_MESSAGE_TEXT) }).strict());
/** The user read the message: a receipt, once per person. */
export const MessageMarkRead = defineMutation('message.mark_read', z.object({ id: Uuid }).strict());

export const messageThreadsKind = defineSyncKind({ name: 'message_thread', record: MessageThreadRecord, mutations: [MessageThreadCreate], access: ['message_thread'] });
export const messagesKind = defineSyncKind({ name: 'message', record: MessageRecord, mutations: [MessageSend, MessageMarkRead] });

// ---- the server API (case officers; staff for tests and tools) ----

export const ThreadSummary = MessageThreadRecord.extend({
  lastMessageAt: IsoDateTime,
  messageCount: z.number().int().nonnegative(),
  /** Messages by others the caller has not read. */
  unread: z.number().int().nonnegative(),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

export const ThreadListResponse = z.object({ threads: z.array(ThreadSummary) });
export type ThreadListResponse = z.infer<typeof ThreadListResponse>;
export const ThreadDetail = z.object({ thread: MessageThreadRecord, messages: z.array(MessageRecord) });
export type ThreadDetail = z.infer<typeof ThreadDetail>;

export const ThreadListQuery = z.object({
  /** Words the subject or a message must contain. */
  q: Label(200).optional(),
  assignmentId: Uuid.optional(),
  clientId: Uuid.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).strict();
export type ThreadListQuery = z.infer<typeof ThreadListQuery>;

export const StartThreadBody = z.object({
  id: Uuid.optional(),
  unitId: Uuid.optional(),
  subject: Subject,
  clientId: Uuid.nullable().default(null),
  assignmentId: Uuid.nullable().default(null),
  toUnit: z.boolean().default(true),
  participantIds: Participants.default([]),
  text: WrittenText(MAX_MESSAGE_TEXT),
}).strict();
export type StartThreadBody = z.infer<typeof StartThreadBody>;

export const ReplyBody = z.object({ id: Uuid.optional(), text: WrittenText(MAX_MESSAGE_TEXT) }).strict();
export const MarkReadResponse = z.object({ marked: z.number().int().nonnegative() });

export const messageRoutes = {
  /** The caller's threads (participant, or an inbox of a unit they hold a permission for), newest activity first. */
  list: { method: 'GET', path: '/api/v1/messages/threads', response: ThreadListResponse },
  /** A unit's inbox threads: 404 without a current permission for the unit. */
  inbox: { method: 'GET', path: '/api/v1/messages/units/:id/threads', response: ThreadListResponse },
  /** A thread with its messages: 404 when not visible to the caller; a read in the access log when tied to a client. */
  get: { method: 'GET', path: '/api/v1/messages/threads/:id', response: ThreadDetail },
  start: { method: 'POST', path: '/api/v1/messages/threads', body: StartThreadBody, response: ThreadDetail },
  reply: { method: 'POST', path: '/api/v1/messages/threads/:id/messages', body: ReplyBody, response: ThreadDetail },
  /** Marks every message by others in the thread read by the caller. */
  read: { method: 'POST', path: '/api/v1/messages/threads/:id/read', body: z.object({}).strict(), response: MarkReadResponse },
} as const;

// ---- renderer ↔ main ----

export const LocalMessage = MessageRecord.extend({ pending: z.boolean() });
export type LocalMessage = z.infer<typeof LocalMessage>;
export const LocalThreadSummary = MessageThreadRecord.extend({
  lastMessageAt: z.string(),
  messageCount: z.number().int().nonnegative(),
  unread: z.number().int().nonnegative(),
  /** Messages of the thread not yet on the server ("Ej skickat"). */
  pending: z.number().int().nonnegative(),
});
export type LocalThreadSummary = z.infer<typeof LocalThreadSummary>;
export const LocalThreadDetail = z.object({ thread: MessageThreadRecord.extend({ pending: z.boolean() }), messages: z.array(LocalMessage) });
export type LocalThreadDetail = z.infer<typeof LocalThreadDetail>;

const DraftKey = z.string().min(1).max(120);
export const MessageDraft = z.object({ key: DraftKey, unitId: Uuid, subject: z.string(), text: z.string(), savedAt: z.string() });
export type MessageDraft = z.infer<typeof MessageDraft>;

export const messagesApi = {
  /** The user's threads from the store, newest activity first; `query`: search in own threads. */
  list: call(
    z.object({ query: z.string().trim().min(1).max(200).optional(), clientId: Uuid.optional(), assignmentId: Uuid.optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    z.array(LocalThreadSummary),
  ),
  /** Opening a thread: a read in the access log when it is tied to a client. Does not mark read. */
  get: call(z.object({ threadId: Uuid }).strict(), LocalThreadDetail),
  /** Marks the thread's messages by others read (a receipt each, through the outbox). */
  markRead: call(z.object({ threadId: Uuid }).strict(), z.object({ marked: z.number().int().nonnegative() })),
  /** A new thread with its first message, queued (sent exactly once when online). */
  start: call(
    z.object({
      unitId: Uuid,
      subject: Subject,
      clientId: Uuid.nullable().default(null),
      assignmentId: Uuid.nullable().default(null),
      toUnit: z.boolean().default(true),
      participantIds: Participants.default([]),
      text: WrittenText(MAX_MESSAGE_TEXT).pipe(z.string().trim().min(1, 'Skriv meddelandet')),
    }).strict(),
    LocalThreadDetail,
  ),
  reply: call(z.object({ threadId: Uuid, text: WrittenText(MAX_MESSAGE_TEXT).pipe(z.string().trim().min(1, 'Skriv meddelandet')) }).strict(), LocalMessage),
  /** The half-written message, saved as the user types (encrypted store): a reply's key is the thread id, a new thread's `new:<unit>:<assignment or client>`. */
  saveDraft: call(z.object({ key: DraftKey, unitId: Uuid, subject: z.string().max(MAX_SUBJECT), text: z.string().max(MAX_MESSAGE_TEXT) }).strict(), MessageDraft),
  draft: call(z.object({ key: DraftKey }).strict(), MessageDraft.nullable()),
  /** Unread messages in all the user's threads (the menu's count). */
  unreadCount: call(z.object({}).strict(), z.object({ unread: z.number().int().nonnegative() })),
} as const;
