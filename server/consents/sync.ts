import type { z } from 'zod';
import { CONSENT_MESSAGES, consentDateInFuture, consentText, type ConsentRecordMutation, type ConsentWithdraw as ConsentWithdrawSchema } from '#contract';
import { applied, authorName, clientInScope, defineServerKind, refused, SHARED_MESSAGES, type PushRules, type RuleContext, type SharedState } from '../sync/kind';
import { authorText, iso, jsonPlain, jsonValue, objectText } from '../sync/records';

/**
 * The consent register on the server (table consents, migration 0086, docs/consents.md): the
 * feed record, and the rules and writes of `consent.record` and `consent.withdraw`. The client's
 * unit is the consent's: only staff with a permission for it may record or withdraw one.
 */

export type ConsentRecordM = z.infer<typeof ConsentRecordMutation>;
export type ConsentWithdrawM = z.infer<typeof ConsentWithdrawSchema>;

export interface ConsentState {
  /** The consents the batch withdraws: id → what the rules need. */
  consents: Map<string, { clientId: string; unitId: string; answer: 'given' | 'refused'; givenOn: string; withdrawn: boolean }>;
}
export type ConsentKeys = { withdrawnConsentIds: Set<string> };
export type ConsentWrite = { kind: 'consent.insert'; mutation: ConsentRecordM; unitId: string } | { kind: 'consent.withdraw'; mutation: ConsentWithdrawM };

const date = (column: string) => jsonPlain(`to_char(${column}, 'YYYY-MM-DD')`);

/** ConsentRecord of the `consents` row aliased `t`; `withdrawal` is null until it is withdrawn. */
export const consentJson = (t: string) =>
  objectText({
    id: jsonPlain(`${t}.id`),
    unitId: jsonPlain(`${t}.unit_id`),
    clientId: jsonPlain(`${t}.client_id`),
    topic: jsonPlain(`${t}.topic`),
    otherText: jsonValue(`${t}.other_text`),
    answer: jsonPlain(`${t}.answer`),
    form: jsonPlain(`${t}.form`),
    givenOn: date(`${t}.given_on`),
    note: jsonValue(`${t}.note`),
    author: authorText(t, 'author'),
    createdAt: jsonPlain(iso(`${t}.created_at`)),
    withdrawal: `CASE WHEN ${t}.withdrawn_at IS NULL THEN 'null' ELSE ${objectText({
      withdrawnOn: date(`${t}.withdrawn_on`),
      reason: jsonValue(`${t}.withdrawn_reason`),
      by: authorText(t, 'withdrawn_by'),
      at: jsonPlain(iso(`${t}.withdrawn_at`)),
    })} END`,
  });

type State = SharedState & ConsentState;

function decideRecord(m: ConsentRecordM, state: State, ctx: RuleContext) {
  const r = m.record;
  const client = clientInScope(state, r.clientId, ctx);
  if (!client) return refused<ConsentWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.clientForbidden);
  if (consentDateInFuture(r.givenOn, ctx.now)) return refused<ConsentWrite>(m, 'VALIDATION', CONSENT_MESSAGES.consentFuture);
  if (state.taken.has(r.id)) return refused<ConsentWrite>(m, 'CONFLICT', SHARED_MESSAGES.duplicateId);
  return applied<ConsentWrite>(m, 'consent', { unitId: client.unitId, clientId: client.id }, { kind: 'consent.insert', mutation: m, unitId: client.unitId });
}

function decideWithdraw(m: ConsentWithdrawM, state: State, ctx: RuleContext) {
  const c = state.consents.get(m.record.id);
  // One answer for a consent that does not exist and one in a unit the pusher may not see.
  if (!c || !ctx.scope.has(c.unitId)) return refused<ConsentWrite>(m, 'NOT_FOUND', CONSENT_MESSAGES.consentMissing);
  if (c.answer !== 'given') return refused<ConsentWrite>(m, 'CONFLICT', CONSENT_MESSAGES.consentNotGiven);
  if (c.withdrawn) return refused<ConsentWrite>(m, 'CONFLICT', CONSENT_MESSAGES.consentWithdrawnAlready);
  if (m.record.withdrawnOn < c.givenOn) return refused<ConsentWrite>(m, 'VALIDATION', CONSENT_MESSAGES.consentWithdrawBeforeGiven);
  if (consentDateInFuture(m.record.withdrawnOn, ctx.now)) return refused<ConsentWrite>(m, 'VALIDATION', CONSENT_MESSAGES.consentFuture);
  return applied<ConsentWrite>(m, 'consent', c, { kind: 'consent.withdraw', mutation: m });
}

const push: PushRules<ConsentState, ConsentKeys, ConsentWrite> = {
  idTable: 'consents',
  messages: CONSENT_MESSAGES,
  emptyState: () => ({ consents: new Map() }),
  emptyKeys: () => ({ withdrawnConsentIds: new Set() }),
  async load(tx, keys, state) {
    if (keys.withdrawnConsentIds.length === 0) return;
    const { rows } = await tx.query<{ id: string; client_id: string; unit_id: string; answer: 'given' | 'refused'; given_on: string; withdrawn: boolean }>(
      `SELECT id, client_id, unit_id, answer, to_char(given_on, 'YYYY-MM-DD') AS given_on, withdrawn_at IS NOT NULL AS withdrawn
         FROM consents WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [keys.withdrawnConsentIds],
    );
    for (const r of rows) state.consents.set(r.id, { clientId: r.client_id, unitId: r.unit_id, answer: r.answer, givenOn: r.given_on, withdrawn: r.withdrawn });
  },
  mutations: {
    'consent.record': {
      keys(m: ConsentRecordM, keys) {
        keys.clientIds.add(m.record.clientId);
        keys.createdIds.add(m.record.id);
      },
      decide: decideRecord,
    },
    'consent.withdraw': {
      keys(m: ConsentWithdrawM, keys) {
        keys.withdrawnConsentIds.add(m.record.id);
      },
      decide: decideWithdraw,
    },
  },
  remember(write, state) {
    if (write.kind === 'consent.insert') {
      const r = write.mutation.record;
      state.taken.add(r.id);
      state.consents.set(r.id, { clientId: r.clientId, unitId: write.unitId, answer: r.answer, givenOn: r.givenOn, withdrawn: false });
    } else {
      state.consents.get(write.mutation.record.id)!.withdrawn = true;
    }
  },
  writers: {
    'consent.insert': async (tx, writes, ctx) => {
      const r = writes.map((w) => w.mutation.record);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO consents (id, unit_id, client_id, topic, other_text, answer, form, given_on, note,
                               author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
         SELECT r.id, r.unit_id, r.client_id, r.topic, r.other_text, r.answer, r.form, r.given_on, r.note,
                $11, $12, $13, $14, $15::timestamptz + (r.n - 1) * interval '1 millisecond', r.client_created_at
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], $9::text[], $10::timestamptz[])
                WITH ORDINALITY AS r(id, unit_id, client_id, topic, other_text, answer, form, given_on, note, client_created_at, n)
          ORDER BY r.n
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          r.map((x) => x.id), writes.map((w) => w.unitId), r.map((x) => x.clientId), r.map((x) => x.topic), r.map((x) => consentText(x.otherText)),
          r.map((x) => x.answer), r.map((x) => x.form), r.map((x) => x.givenOn), r.map((x) => consentText(x.note)), writes.map((w) => w.mutation.createdAt),
          ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, ctx.now,
        ],
      );
      return rows;
    },
    'consent.withdraw': async (tx, writes, ctx) => {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE consents c
            SET withdrawn_on = r.withdrawn_on, withdrawn_reason = r.reason, withdrawn_at = $4, withdrawn_by_staff_id = $5,
                withdrawn_by_hsa_id = $6, withdrawn_by_name = $7, withdrawn_by_title = $8
           FROM unnest($1::uuid[], $2::date[], $3::text[]) AS r(id, withdrawn_on, reason)
          WHERE c.id = r.id
         RETURNING c.id`,
        [
          writes.map((w) => w.mutation.record.id), writes.map((w) => w.mutation.record.withdrawnOn), writes.map((w) => w.mutation.record.reason.trim()),
          ctx.now, ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title,
        ],
      );
      return rows;
    },
  },
};

export const consentsSync = defineServerKind({
  name: 'consent',
  feed: { table: 'consents', json: consentJson },
  push,
});
