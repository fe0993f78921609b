import { z } from 'zod';
import { call } from './call';
import { CreateId, Uuid } from './domain';
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

/** The largest PDF a message may carry (the server refuses more; base64 in JSON stays under the body limit). */
export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;
/** What the product produced: a journal export (journalutdrag) or an implementation plan (genomförandeplan). No other files. */
export const AttachmentKind = z.enum(['journal', 'plan']);
export type AttachmentKind = z.infer<typeof AttachmentKind>;
/** File names the workstation gives its exports: no name or personnummer in them. */
export const AttachmentFileName = z.string().regex(/^[a-z0-9-]{1,116}\.pdf$/, 'Ogiltigt filnamn för bilagan.');
/** A message's attachment as the feed and the API describe it; the PDF itself is fetched on its own (messageRoutes.attachment). */
export const MessageAttachment = z.object({ id: Uuid, kind: AttachmentKind, fileName: AttachmentFileName, bytes: z.number().int().positive() });
export type MessageAttachment = z.infer<typeof MessageAttachment>;

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
  /** A PDF the product produced, sent with the message (absent in records from before attachments). */
  attachment: MessageAttachment.nullable().optional(),
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

/** Base64 of at most MAX_ATTACHMENT_BYTES; the server also checks the bytes are a PDF (%PDF-). */
const Base64Pdf = z
  .string()
  .max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4, 'Bilagan är för stor (högst 2 MB).')
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Bilagan är inte base64.');
/** A message with an attached export, in a thread about a client (the uploader holds a permission for its unit). */
export const AttachBody = z.object({ id: Uuid.optional(), text: WrittenText(MAX_MESSAGE_TEXT), kind: AttachmentKind, fileName: AttachmentFileName, content: Base64Pdf }).strict();
export type AttachBody = z.infer<typeof AttachBody>;
export const AttachmentContent = MessageAttachment.extend({ messageId: Uuid, threadId: Uuid, contentType: z.literal('application/pdf'), content: z.string() });
export type AttachmentContent = z.infer<typeof AttachmentContent>;

/** Whom a new thread in a unit may name: colleagues with a permission for it, and the case officers who sent its assignments. */
export const Recipient = z.object({ staffId: Uuid, name: z.string(), title: z.string(), kind: z.enum(['colleague', 'case_officer']) });
export type Recipient = z.infer<typeof Recipient>;
export const RecipientsResponse = z.object({ people: z.array(Recipient) });
/** A thread about a client (or an assignment, of its client): only those who may see the client are offered. */
export const RecipientsQuery = z.object({ clientId: Uuid.optional(), assignmentId: Uuid.optional() }).strict();
export type RecipientsQuery = z.infer<typeof RecipientsQuery>;

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
  /** A message carrying a PDF export, in a thread about a client: 404 when not visible, 403 without a permission for its unit. */
  attach: { method: 'POST', path: '/api/v1/messages/threads/:id/attachments', body: AttachBody, response: ThreadDetail },
  /** The PDF: 404 when its thread is not visible to the caller; a read in the access log (tied to a client). */
  attachment: { method: 'GET', path: '/api/v1/messages/attachments/:id', response: AttachmentContent },
  /** Whom a new thread in unit `:id` may name (404 without a current permission for it); about a client, only who may see it (RecipientsQuery). */
  recipients: { method: 'GET', path: '/api/v1/messages/units/:id/recipients', response: RecipientsResponse },
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
  /** The newest message's author and its first characters: the list's preview. */
  lastMessage: z.object({ authorName: z.string(), text: z.string() }).nullable(),
  /** The client the thread is about, by name (from the store's register), when it is about one. */
  clientName: z.string().nullable(),
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
      ...CreateId,
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
  reply: call(z.object({ ...CreateId, threadId: Uuid, text: WrittenText(MAX_MESSAGE_TEXT).pipe(z.string().trim().min(1, 'Skriv meddelandet')) }).strict(), LocalMessage),
  /** The half-written message, saved as the user types (encrypted store): a reply's key is the thread id, a new thread's `new:<unit>:<assignment or client>`. */
  saveDraft: call(z.object({ key: DraftKey, unitId: Uuid, subject: z.string().max(MAX_SUBJECT), text: z.string().max(MAX_MESSAGE_TEXT) }).strict(), MessageDraft),
  draft: call(z.object({ key: DraftKey }).strict(), MessageDraft.nullable()),
  /** A message with the thread's client's journal or current plan as a PDF, made now and sent at once: needs a connection (SERVER_UNREACHABLE offline). */
  attach: call(z.object({ ...CreateId, threadId: Uuid, kind: AttachmentKind, text: z.string().max(MAX_MESSAGE_TEXT).default('') }).strict(), LocalThreadDetail),
  /** Fetches an attachment's PDF (a read in the server's access log) and saves it in the exports folder. */
  openAttachment: call(z.object({ attachmentId: Uuid }).strict(), z.object({ path: z.string(), fileName: z.string(), bytes: z.number().int().nonnegative() })),
  /** Whom a new thread in the unit may name (needs a connection). */
  recipients: call(z.object({ unitId: Uuid, clientId: Uuid.nullable().optional(), assignmentId: Uuid.nullable().optional() }).strict(), z.array(Recipient)),
  /** Unread messages in all the user's threads (the menu's count). */
  unreadCount: call(z.object({}).strict(), z.object({ unread: z.number().int().nonnegative() })),
} as const;
