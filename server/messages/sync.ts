import type { z } from 'zod';
import type { MessageMarkRead, MessageParticipant, MessageSend, MessageThreadCreate } from '#contract';
import { applied, authorName, clientInScope, defineServerKind, refused, SHARED_MESSAGES, type PushRules, type RuleContext, type SharedState } from '../sync/kind';
import { authorJson, iso } from '../sync/records';
import { clientVisibleSql, loadCandidates, loadPlaces, refusalFor, type Candidate } from './audience';

/**
 * Secure messages on the server (docs/messages.md; tables of migration 0015): two synced kinds,
 * `message_thread` and `message` (a message's record carries its read receipts). The feed carries a
 * thread and its messages only to whom may read them: its named participants, and — for a
 * unit-inbox thread — everyone whose scope holds the unit (the feed is per unit already). The `staff`
 * parameter of the pull is the pulling staff member (server/sync/kind.ts, SqlFeed.audience); to
 * anyone else the record is not there at all, not even as a delete. The push checks the same rules.
 */

type ThreadCreate = z.infer<typeof MessageThreadCreate>;
type Send = z.infer<typeof MessageSend>;
type MarkRead = z.infer<typeof MessageMarkRead>;

export interface ThreadState {
  unitId: string;
  clientId: string | null;
  assignmentId: string | null;
  toUnit: boolean;
  participantIds: string[];
  /** The unit of the thread's client (null: no client). */
  clientUnitId: string | null;
  /** The case officers who sent one of the client's assignments. */
  officerIds: string[];
}
export interface MessageState {
  threadId: string;
  authorId: string;
  readers: Set<string>;
}
export interface MessagesState {
  threads: Map<string, ThreadState>;
  messages: Map<string, MessageState>;
  /** Staff named as participants (and the author): who they are and what they may see (absent: no such person). */
  people: Map<string, Candidate>;
  /** Assignments named by new threads: id → unit and client. */
  threadAssignments: Map<string, { unitId: string; clientId: string }>;
  /** The organisation of each unit new threads name. */
  unitOrganisations: Map<string, string>;
}
export type MessagesKeys = {
  threadIds: Set<string>;
  messageIds: Set<string>;
  participantIds: Set<string>;
  assignmentIds: Set<string>;
  threadUnitIds: Set<string>;
  threadClientIds: Set<string>;
};
export type MessagesWrite =
  | { kind: 'message_thread.insert'; mutation: ThreadCreate; participants: MessageParticipant[] }
  | { kind: 'message.insert'; mutation: Send; unitId: string; authorId: string }
  | { kind: 'message.read'; mutation: MarkRead };

export const MESSAGE_MESSAGES = {
  threadMissing: 'Samtalet finns inte eller är inte ditt.',
  messageMissing: 'Meddelandet finns inte eller är inte ditt.',
  participantMissing: 'En av mottagarna finns inte.',
  noRecipient: 'Välj en mottagare: enhetens inkorg eller minst en person.',
  assignmentMismatch: 'Uppdraget hör inte till enheten eller brukaren.',
} as const;

/**
 * The secrecy rule, in SQL (the routes): may staff member `staff` read thread `th`, with `units`
 * the unit ids of their scope now? A participant, or — for a unit-inbox thread — someone holding
 * the unit; and for a thread about a client, only while she may see the client (audience.ts).
 */
export const threadVisibleSql = (th: string, staff: string, units: string) =>
  `((${staff} = ANY(${th}.participant_ids) OR (${th}.to_unit AND ${th}.unit_id = ANY(${units}))) AND ${clientVisibleSql(th, staff, units)})`;
/** The same rule for the push's loaded state. */
export const threadVisible = (t: ThreadState, ctx: RuleContext) =>
  ((ctx.staff !== undefined && t.participantIds.includes(ctx.staff.id)) || (t.toUnit && ctx.scope.has(t.unitId))) &&
  (t.clientId === null || (t.clientUnitId !== null && ctx.scope.has(t.clientUnitId)) || (ctx.staff !== undefined && t.officerIds.includes(ctx.staff.id)));

export const threadJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'unitId', ${t}.unit_id, 'subject', ${t}.subject, 'clientId', ${t}.client_id, 'assignmentId', ${t}.assignment_id,
  'toUnit', ${t}.to_unit, 'participants', ${t}.participants, 'author', ${authorJson(t, 'author')}, 'createdAt', ${iso(`${t}.created_at`)})::text`;

export const messageJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'threadId', ${t}.thread_id, 'unitId', ${t}.unit_id, 'text', ${t}.text, 'author', ${authorJson(t, 'author')},
  'createdAt', ${iso(`${t}.created_at`)},
  'reads', coalesce((SELECT json_agg(json_build_object('staffId', r.staff_id, 'name', r.staff_name, 'readAt', ${iso('r.read_at')}) ORDER BY r.read_at, r.staff_id)
                       FROM message_reads r WHERE r.message_id = ${t}.id), '[]'::json),
  'attachment', (SELECT json_build_object('id', a.id, 'kind', a.kind, 'fileName', a.file_name, 'bytes', a.bytes) FROM message_attachments a WHERE a.message_id = ${t}.id))::text`;

type State = SharedState & MessagesState;

function decideThread(m: ThreadCreate, state: State, ctx: RuleContext) {
  const r = m.record;
  if (!ctx.scope.has(r.unitId)) return refused<MessagesWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.unitForbidden);
  if (r.clientId !== null) {
    const client = clientInScope(state, r.clientId, ctx);
    if (!client) return refused<MessagesWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.clientForbidden);
    if (client.unitId !== r.unitId) return refused<MessagesWrite>(m, 'VALIDATION', SHARED_MESSAGES.clientNotInUnit);
  }
  if (r.assignmentId !== null) {
    const a = state.threadAssignments.get(r.assignmentId);
    if (!a || !ctx.scope.has(a.unitId)) return refused<MessagesWrite>(m, 'NOT_FOUND', MESSAGE_MESSAGES.assignmentMismatch);
    if (a.unitId !== r.unitId || (r.clientId !== null && a.clientId !== r.clientId)) return refused<MessagesWrite>(m, 'VALIDATION', MESSAGE_MESSAGES.assignmentMismatch);
  }
  const author = ctx.staff;
  if (!author) return refused<MessagesWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.unitForbidden);
  const others = [...new Set(r.participantIds)].filter((id) => id !== author.id);
  if (!r.toUnit && others.length === 0) return refused<MessagesWrite>(m, 'VALIDATION', MESSAGE_MESSAGES.noRecipient);
  const people = others.map((id) => state.people.get(id));
  if (people.some((p) => p === undefined)) return refused<MessagesWrite>(m, 'VALIDATION', MESSAGE_MESSAGES.participantMissing);
  const organisationId = state.unitOrganisations.get(r.unitId);
  if (organisationId === undefined) return refused<MessagesWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.unitForbidden);
  const place = { organisationId, client: r.clientId === null ? null : { id: r.clientId, unitId: state.clients.get(r.clientId)! } };
  for (const p of people as Candidate[]) {
    const refusal = refusalFor(p, place, ctx.now);
    if (refusal) return refused<MessagesWrite>(m, 'VALIDATION', refusal);
  }
  if (state.taken.has(r.id)) return refused<MessagesWrite>(m, 'CONFLICT', SHARED_MESSAGES.duplicateId);
  const self = { staffId: author.id, name: authorName(author), title: author.title };
  const named = (people as Candidate[]).map((p): MessageParticipant => ({ staffId: p.staffId, name: p.name, title: p.title }));
  return applied<MessagesWrite>(m, 'message_thread', r, { kind: 'message_thread.insert', mutation: m, participants: [self, ...named] });
}

/** Unknown and not visible answer alike: a thread's existence is not revealed. */
function decideSend(m: Send, state: State, ctx: RuleContext) {
  const t = state.threads.get(m.record.threadId);
  if (!t || !threadVisible(t, ctx)) return refused<MessagesWrite>(m, 'NOT_FOUND', MESSAGE_MESSAGES.threadMissing);
  if (state.taken.has(m.record.id)) return refused<MessagesWrite>(m, 'CONFLICT', SHARED_MESSAGES.duplicateId);
  return applied<MessagesWrite>(m, 'message', t, { kind: 'message.insert', mutation: m, unitId: t.unitId, authorId: ctx.staff?.id ?? '' });
}

/** A receipt once per person; one's own message, or one read already: applied without change. */
function decideMarkRead(m: MarkRead, state: State, ctx: RuleContext) {
  const msg = state.messages.get(m.record.id);
  const t = msg && state.threads.get(msg.threadId);
  if (!msg || !t || !threadVisible(t, ctx)) return refused<MessagesWrite>(m, 'NOT_FOUND', MESSAGE_MESSAGES.messageMissing);
  const me = ctx.staff!.id;
  const write = msg.authorId === me || msg.readers.has(me) ? null : ({ kind: 'message.read', mutation: m } as const);
  return applied<MessagesWrite>(m, 'message', t, write);
}

/**
 * Below client data's assurance level (issue 29): a thread about no client and no assignment, as
 * stored (or created earlier in the batch). An unknown thread is not client-free (fail closed).
 */
const threadClientFree = (t: ThreadState | undefined) => t !== undefined && t.clientId === null && t.assignmentId === null;

const push: PushRules<MessagesState, MessagesKeys, MessagesWrite> = {
  // Ids of both tables are checked for both kinds (one push for the two): a thread and a message never share an id.
  idTable: '(SELECT id FROM message_threads UNION ALL SELECT id FROM messages) message_ids',
  messages: MESSAGE_MESSAGES,
  emptyState: () => ({ threads: new Map(), messages: new Map(), people: new Map(), threadAssignments: new Map(), unitOrganisations: new Map() }),
  emptyKeys: () => ({ threadIds: new Set(), messageIds: new Set(), participantIds: new Set(), assignmentIds: new Set(), threadUnitIds: new Set(), threadClientIds: new Set() }),
  async load(tx, keys, state) {
    if (keys.messageIds.length > 0) {
      const { rows } = await tx.query<{ id: string; thread_id: string; author_staff_id: string; readers: string[] }>(
        `SELECT m.id, m.thread_id, m.author_staff_id, coalesce((SELECT array_agg(r.staff_id) FROM message_reads r WHERE r.message_id = m.id), '{}') AS readers
           FROM messages m WHERE m.id = ANY($1::uuid[])`,
        [keys.messageIds],
      );
      for (const r of rows) {
        state.messages.set(r.id, { threadId: r.thread_id, authorId: r.author_staff_id, readers: new Set(r.readers) });
        keys.threadIds.push(r.thread_id);
      }
    }
    if (keys.threadIds.length > 0) {
      const { rows } = await tx.query<{ id: string; unit_id: string; client_id: string | null; assignment_id: string | null; to_unit: boolean; participant_ids: string[]; client_unit_id: string | null; officer_ids: string[] }>(
        `SELECT th.id, th.unit_id, th.client_id, th.assignment_id, th.to_unit, th.participant_ids, c.unit_id AS client_unit_id,
                ARRAY(SELECT DISTINCT a.sent_by_staff_id FROM assignments a WHERE a.client_id = th.client_id) AS officer_ids
           FROM message_threads th LEFT JOIN clients c ON c.id = th.client_id WHERE th.id = ANY($1::uuid[])`,
        [keys.threadIds],
      );
      for (const r of rows) {
        state.threads.set(r.id, { unitId: r.unit_id, clientId: r.client_id, assignmentId: r.assignment_id, toUnit: r.to_unit, participantIds: r.participant_ids, clientUnitId: r.client_unit_id, officerIds: r.officer_ids });
      }
    }
    for (const [id, p] of await loadCandidates(tx, keys.participantIds, keys.threadClientIds)) state.people.set(id, p);
    if (keys.threadUnitIds.length > 0) {
      for (const [id, org] of (await loadPlaces(tx, keys.threadUnitIds, [])).unitOrganisations) state.unitOrganisations.set(id, org);
    }
    if (keys.assignmentIds.length > 0) {
      const { rows } = await tx.query<{ id: string; unit_id: string; client_id: string }>('SELECT id, unit_id, client_id FROM assignments WHERE id = ANY($1::uuid[])', [keys.assignmentIds]);
      for (const r of rows) state.threadAssignments.set(r.id, { unitId: r.unit_id, clientId: r.client_id });
    }
  },
  mutations: {
    'message_thread.create': {
      keys(m: ThreadCreate, keys) {
        if (m.record.clientId !== null) {
          keys.clientIds.add(m.record.clientId);
          keys.threadClientIds.add(m.record.clientId);
        }
        keys.threadUnitIds.add(m.record.unitId);
        if (m.record.assignmentId !== null) keys.assignmentIds.add(m.record.assignmentId);
        for (const id of m.record.participantIds) keys.participantIds.add(id);
        keys.createdIds.add(m.record.id);
      },
      decide: decideThread,
      clientFree: (m: ThreadCreate) => m.record.clientId === null && m.record.assignmentId === null,
    },
    'message.send': {
      keys(m: Send, keys) {
        keys.threadIds.add(m.record.threadId);
        keys.createdIds.add(m.record.id);
      },
      decide: decideSend,
      clientFree: (m: Send, state: State) => threadClientFree(state.threads.get(m.record.threadId)),
    },
    'message.mark_read': {
      keys(m: MarkRead, keys) {
        keys.messageIds.add(m.record.id);
      },
      decide: decideMarkRead,
      clientFree: (m: MarkRead, state: State) => {
        const msg = state.messages.get(m.record.id);
        return threadClientFree(msg && state.threads.get(msg.threadId));
      },
    },
  },
  remember(write, state) {
    const id = write.mutation.record.id;
    state.taken.add(id);
    if (write.kind === 'message_thread.insert') {
      const r = write.mutation.record;
      const clientUnitId = r.clientId === null ? null : (state.clients.get(r.clientId) ?? null);
      state.threads.set(id, { unitId: r.unitId, clientId: r.clientId, assignmentId: r.assignmentId, toUnit: r.toUnit, participantIds: write.participants.map((p) => p.staffId), clientUnitId, officerIds: [] });
    } else if (write.kind === 'message.insert') {
      // A message sent in the batch may be marked read later in it (by its author: no receipt).
      state.messages.set(id, { threadId: write.mutation.record.threadId, authorId: write.authorId, readers: new Set() });
    }
  },
  writers: {
    'message_thread.insert': async (tx, writes, ctx) => {
      const r = writes.map((w) => w.mutation.record);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO message_threads (id, unit_id, subject, client_id, assignment_id, to_unit, participant_ids, participants,
                                      author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
         SELECT r.id, r.unit_id, r.subject, r.client_id, r.assignment_id, r.to_unit,
                ARRAY(SELECT (p ->> 'staffId')::uuid FROM jsonb_array_elements(r.participants) p), r.participants,
                $9, $10, $11, $12, $13, r.client_created_at
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::boolean[], $7::jsonb[], $8::timestamptz[])
                WITH ORDINALITY AS r(id, unit_id, subject, client_id, assignment_id, to_unit, participants, client_created_at, n)
          ORDER BY r.n
         RETURNING id`,
        [
          r.map((x) => x.id), r.map((x) => x.unitId), r.map((x) => x.subject), r.map((x) => x.clientId), r.map((x) => x.assignmentId), r.map((x) => x.toUnit),
          writes.map((w) => JSON.stringify(w.participants)), writes.map((w) => w.mutation.createdAt),
          ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, ctx.now,
        ],
      );
      return rows;
    },
    'message.insert': async (tx, writes, ctx) => {
      const r = writes.map((w) => w.mutation.record);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO messages (id, thread_id, unit_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
         SELECT r.id, r.thread_id, r.unit_id, r.text, $6, $7, $8, $9, $10, r.client_created_at
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS r(id, thread_id, unit_id, text, client_created_at, n)
          ORDER BY r.n
         RETURNING id`,
        [r.map((x) => x.id), r.map((x) => x.threadId), writes.map((w) => w.unitId), r.map((x) => x.text), writes.map((w) => w.mutation.createdAt),
          ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, ctx.now],
      );
      return rows;
    },
    // A receipt given meanwhile by another push of the same person stays the one receipt.
    'message.read': async (tx, writes, ctx) => {
      const ids = writes.map((w) => w.mutation.record.id);
      await tx.query(
        `INSERT INTO message_reads (message_id, staff_id, staff_name, read_at)
         SELECT id, $2, $3, $4 FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, n) ORDER BY n
         ON CONFLICT (message_id, staff_id) DO NOTHING`,
        [ids, ctx.staff.id, authorName(ctx.staff), ctx.now],
      );
      return ids.map((id) => ({ id }));
    },
  },
};

/**
 * Only the named participants, or — for a unit-inbox thread — everyone pulling the unit. The feed's
 * `audience`: to anyone else not even a delete with the id (participants and to_unit never change,
 * so they never had it).
 */
const threadWhere = (t: string, staff: string) => `(${t}.to_unit OR ${staff} = ANY(${t}.participant_ids))`;
/** Below client data's assurance level (issue 29) only threads about no client and no assignment. */
const clientFree = (t: string, clientData: string) => `(${clientData} OR (${t}.client_id IS NULL AND ${t}.assignment_id IS NULL))`;

export const messageThreadsSync = defineServerKind({
  name: 'message_thread',
  feed: { table: 'message_threads', json: threadJson, audience: (t, { staff }) => threadWhere(t, staff), where: (t, { clientData }) => clientFree(t, clientData) },
  push,
  appendOnly: ['message_threads', 'messages', 'message_reads', 'message_attachments'],
});

/** The messages' rules are the threads' (one PushRules for both kinds); registered once, there. */
export const messagesServer = defineServerKind({
  name: 'message',
  feed: { table: 'messages', json: messageJson, audience: (t, { staff }) => `EXISTS (SELECT 1 FROM message_threads th WHERE th.id = ${t}.thread_id AND ${threadWhere('th', staff)})`,
    where: (t, { clientData }) => `EXISTS (SELECT 1 FROM message_threads th WHERE th.id = ${t}.thread_id AND ${clientFree('th', clientData)})`,
  },
});
