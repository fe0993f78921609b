import type { z } from 'zod';
import { ksiListProblem, PLAN_MESSAGES, setProblem, swedishDate, type PlanContent, type PlanRecordConsent, type PlanRecordFollowUp, type PlanSaveDraft, type PlanSet } from '#contract';
import type { Queryable } from '../db/types';
import { applied, authorName, clientInScope, defineServerKind, refused, SHARED_MESSAGES, tomorrow, type PushRules, type RuleContext, type SharedState, type WriteContext } from '../sync/kind';
import { authorJson, iso } from '../sync/records';

/**
 * Implementation plans on the server (docs/plans.md; tables in migrations/0013_plans.sql): the feed
 * record (the plan's head with its versions, follow-ups and consents, built by PostgreSQL), and the
 * rules and writes of plan.save_draft, plan.set, plan.follow_up and plan.consent. A draft pushed
 * from a revision that is not the plan's current one is refused with CONFLICT (someone else saved
 * or set the plan meanwhile); the workstation keeps the text and lets the user choose.
 */

type SaveDraft = z.infer<typeof PlanSaveDraft>;
type SetPlan = z.infer<typeof PlanSet>;
type FollowUp = z.infer<typeof PlanRecordFollowUp>;
type Consent = z.infer<typeof PlanRecordConsent>;

export interface PlanHead {
  unitId: string;
  clientId: string;
  revision: number;
  draft: PlanContent | null;
  /** Set versions: id → the goal ids of its content. */
  versions: Map<string, Set<string>>;
  lastSetOn: string | null;
}
export interface PlanState {
  plans: Map<string, PlanHead>;
  /** Assignments drafts name as covered (content.assignmentIds): id → unit and client; absent: no such assignment. */
  planAssignments: Map<string, { unitId: string; clientId: string }>;
  /** Version, follow-up and consent ids of the batch that exist already. */
  planChildTaken: Set<string>;
}
export type PlanKeys = { planIds: Set<string>; planChildIds: Set<string>; planAssignmentIds: Set<string> };
export type PlanWrite =
  | { kind: 'plan.save_draft'; mutation: SaveDraft }
  | { kind: 'plan.set'; mutation: SetPlan }
  | { kind: 'plan.follow_up'; mutation: FollowUp }
  | { kind: 'plan.consent'; mutation: Consent };

type State = SharedState & PlanState;

const dateOf = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;

/** PlanRecord of the `plans` row aliased `t` (keys in the schema's order). */
export const planJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'unitId', ${t}.unit_id, 'clientId', ${t}.client_id, 'revision', ${t}.revision,
  'createdAt', ${iso(`${t}.created_at`)}, 'createdBy', ${authorJson(t, 'created_by')},
  'draft', CASE WHEN ${t}.draft IS NULL THEN NULL ELSE json_build_object('basedOnVersionId', ${t}.draft_based_on, 'content', ${t}.draft,
    'savedAt', ${iso(`${t}.draft_saved_at`)}, 'savedBy', ${authorJson(t, 'draft_by')}) END,
  'versions', (SELECT coalesce(json_agg(json_build_object('id', v.id, 'versionNo', v.version_no,
      'status', CASE WHEN v.replaced_on IS NULL THEN 'set' ELSE 'replaced' END, 'content', v.content, 'setOn', ${dateOf('v.set_on')},
      'setBy', ${authorJson('v', 'set_by')}, 'setAt', ${iso('v.set_at')}, 'replacedOn', ${dateOf('v.replaced_on')}) ORDER BY v.version_no), '[]'::json)
    FROM (SELECT pv.*, lead(pv.set_on) OVER (ORDER BY pv.version_no) AS replaced_on FROM plan_versions pv WHERE pv.plan_id = ${t}.id) v),
  'followUps', (SELECT coalesce(json_agg(json_build_object('id', f.id, 'versionId', f.version_id, 'date', ${dateOf('f.date')}, 'outcomes', f.outcomes,
      'comment', f.comment, 'revise', f.revise, 'recordedBy', ${authorJson('f', 'recorded_by')}, 'recordedAt', ${iso('f.recorded_at')})
      ORDER BY f.date, f.recorded_at, f.id), '[]'::json) FROM plan_follow_ups f WHERE f.plan_id = ${t}.id),
  'consents', (SELECT coalesce(json_agg(json_build_object('id', c.id, 'status', c.status, 'date', ${dateOf('c.date')}, 'how', c.how,
      'givenBy', c.given_by, 'representative', c.representative, 'note', c.note, 'recordedBy', ${authorJson('c', 'recorded_by')},
      'recordedAt', ${iso('c.recorded_at')}) ORDER BY c.recorded_at, c.id), '[]'::json) FROM plan_consents c WHERE c.plan_id = ${t}.id))::text`;

/** The plan, if it exists and is in a unit of the user's scope (unknown and out of scope answer alike). */
function planInScope(m: { record: { id: string } }, state: State, ctx: RuleContext) {
  const plan = state.plans.get(m.record.id);
  return plan && ctx.scope.has(plan.unitId) ? plan : null;
}

function decideSaveDraft(m: SaveDraft, state: State, ctx: RuleContext) {
  const r = m.record;
  const client = clientInScope(state, r.clientId, ctx);
  if (!client) return refused<PlanWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.clientForbidden);
  const plan = state.plans.get(r.id);
  if (r.baseRevision === 0) {
    if (plan || state.taken.has(r.id)) return refused<PlanWrite>(m, 'CONFLICT', PLAN_MESSAGES.planExists);
  } else {
    if (!plan || !ctx.scope.has(plan.unitId)) return refused<PlanWrite>(m, 'NOT_FOUND', PLAN_MESSAGES.planMissing);
    if (plan.clientId !== r.clientId) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.planMissing);
    if (plan.revision !== r.baseRevision) return refused<PlanWrite>(m, 'CONFLICT', PLAN_MESSAGES.staleDraft);
  }
  // A draft builds on a version of this very plan, and covers assignments of this client in the user's units (issue 25).
  if (r.basedOnVersionId !== null && !plan?.versions.has(r.basedOnVersionId)) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.draftBaseVersion);
  for (const id of r.content.assignmentIds) {
    const a = state.planAssignments.get(id);
    if (!a || a.clientId !== r.clientId || !ctx.scope.has(a.unitId)) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.draftAssignment);
  }
  // Every KSI code in the organisation's list (KSI_LIST_FILE), not the one the workstation happened to have.
  const ksiProblem = ksiListProblem(r.content.activities, ctx.codes.ksi);
  if (ksiProblem) return refused<PlanWrite>(m, 'VALIDATION', ksiProblem);
  return applied<PlanWrite>(m, 'plan', { unitId: plan?.unitId ?? client.unitId, clientId: r.clientId }, { kind: 'plan.save_draft', mutation: m });
}

function decideSet(m: SetPlan, state: State, ctx: RuleContext) {
  const plan = planInScope(m, state, ctx);
  if (!plan) return refused<PlanWrite>(m, 'NOT_FOUND', PLAN_MESSAGES.planMissing);
  if (plan.revision !== m.record.revision) return refused<PlanWrite>(m, 'CONFLICT', PLAN_MESSAGES.staleDraft);
  if (!plan.draft) return refused<PlanWrite>(m, 'CONFLICT', PLAN_MESSAGES.noDraft);
  const problem = setProblem(plan.draft);
  if (problem) return refused<PlanWrite>(m, 'VALIDATION', problem);
  if (m.record.setOn > tomorrow(ctx.now)) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.planFutureDate);
  if (plan.lastSetOn && m.record.setOn < plan.lastSetOn) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.setOnBeforeLast);
  if (state.planChildTaken.has(m.record.versionId)) return refused<PlanWrite>(m, 'CONFLICT', PLAN_MESSAGES.planIdTaken);
  return applied<PlanWrite>(m, 'plan', plan, { kind: 'plan.set', mutation: m });
}

function decideFollowUp(m: FollowUp, state: State, ctx: RuleContext) {
  const plan = planInScope(m, state, ctx);
  if (!plan) return refused<PlanWrite>(m, 'NOT_FOUND', PLAN_MESSAGES.planMissing);
  const goals = plan.versions.get(m.record.versionId);
  if (!goals) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.versionMissing);
  if (m.record.outcomes.some((o) => !goals.has(o.goalId))) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.goalMissing);
  if (m.record.date > tomorrow(ctx.now)) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.planFutureDate);
  if (state.planChildTaken.has(m.record.followUpId)) return refused<PlanWrite>(m, 'CONFLICT', PLAN_MESSAGES.planIdTaken);
  return applied<PlanWrite>(m, 'plan', plan, { kind: 'plan.follow_up', mutation: m });
}

function decideConsent(m: Consent, state: State, ctx: RuleContext) {
  const plan = planInScope(m, state, ctx);
  if (!plan) return refused<PlanWrite>(m, 'NOT_FOUND', PLAN_MESSAGES.planMissing);
  if (m.record.givenBy === 'representative' && m.record.representative.trim() === '') return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.representativeName);
  // Not even tomorrow: a consent dated ahead would read as given before it was (issue 25).
  if (m.record.date > swedishDate(ctx.now)) return refused<PlanWrite>(m, 'VALIDATION', PLAN_MESSAGES.consentFutureDate);
  if (state.planChildTaken.has(m.record.consentId)) return refused<PlanWrite>(m, 'CONFLICT', PLAN_MESSAGES.planIdTaken);
  return applied<PlanWrite>(m, 'plan', plan, { kind: 'plan.consent', mutation: m });
}

const goalIds = (c: PlanContent) => new Set(c.areas.flatMap((a) => a.goals.map((g) => g.id)));

/** A follow-up or consent changes the plan: its head's trigger puts it in the feed. */
function touch(tx: Queryable, id: string, now: Date) {
  return tx.query('UPDATE plans SET updated_at = $2 WHERE id = $1', [id, now]);
}
const who = (ctx: WriteContext) => [ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title] as const;

const push: PushRules<PlanState, PlanKeys, PlanWrite> = {
  idTable: 'plans',
  messages: PLAN_MESSAGES,
  emptyState: () => ({ plans: new Map(), planChildTaken: new Set(), planAssignments: new Map() }),
  emptyKeys: () => ({ planIds: new Set(), planChildIds: new Set(), planAssignmentIds: new Set() }),
  async load(tx, keys, state) {
    if (keys.planIds.length > 0) {
      const { rows } = await tx.query<{ id: string; unit_id: string; client_id: string; revision: number; draft: PlanContent | null }>(
        'SELECT id, unit_id, client_id, revision, draft FROM plans WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
        [keys.planIds],
      );
      for (const r of rows) state.plans.set(r.id, { unitId: r.unit_id, clientId: r.client_id, revision: r.revision, draft: r.draft, versions: new Map(), lastSetOn: null });
      if (rows.length > 0) {
        const { rows: versions } = await tx.query<{ id: string; plan_id: string; content: PlanContent; set_on: string }>(
          `SELECT id, plan_id, content, to_char(set_on, 'YYYY-MM-DD') AS set_on FROM plan_versions WHERE plan_id = ANY($1::uuid[]) ORDER BY plan_id, version_no`,
          [rows.map((r) => r.id)],
        );
        for (const v of versions) {
          const plan = state.plans.get(v.plan_id)!;
          plan.versions.set(v.id, goalIds(v.content));
          plan.lastSetOn = v.set_on;
        }
      }
    }
    if (keys.planAssignmentIds.length > 0) {
      const { rows } = await tx.query<{ id: string; unit_id: string; client_id: string }>('SELECT id, unit_id, client_id FROM assignments WHERE id = ANY($1::uuid[])', [keys.planAssignmentIds]);
      for (const r of rows) state.planAssignments.set(r.id, { unitId: r.unit_id, clientId: r.client_id });
    }
    if (keys.planChildIds.length > 0) {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM plan_versions WHERE id = ANY($1::uuid[]) UNION ALL SELECT id FROM plan_follow_ups WHERE id = ANY($1::uuid[])
         UNION ALL SELECT id FROM plan_consents WHERE id = ANY($1::uuid[])`,
        [keys.planChildIds],
      );
      for (const r of rows) state.planChildTaken.add(r.id);
    }
  },
  mutations: {
    'plan.save_draft': {
      keys(m: SaveDraft, keys) {
        keys.clientIds.add(m.record.clientId);
        keys.planIds.add(m.record.id);
        for (const id of m.record.content.assignmentIds) keys.planAssignmentIds.add(id);
        if (m.record.baseRevision === 0) keys.createdIds.add(m.record.id);
      },
      decide: decideSaveDraft,
    },
    'plan.set': {
      keys(m: SetPlan, keys) {
        keys.planIds.add(m.record.id);
        keys.planChildIds.add(m.record.versionId);
      },
      decide: decideSet,
    },
    'plan.follow_up': {
      keys(m: FollowUp, keys) {
        keys.planIds.add(m.record.id);
        keys.planChildIds.add(m.record.followUpId);
      },
      decide: decideFollowUp,
    },
    'plan.consent': {
      keys(m: Consent, keys) {
        keys.planIds.add(m.record.id);
        keys.planChildIds.add(m.record.consentId);
      },
      decide: decideConsent,
    },
  },
  remember(write, state) {
    const id = write.mutation.record.id;
    if (write.kind === 'plan.save_draft') {
      const r = write.mutation.record;
      const plan = state.plans.get(id);
      if (plan) {
        plan.revision += 1;
        plan.draft = r.content;
      } else {
        state.taken.add(id);
        state.plans.set(id, { unitId: state.clients.get(r.clientId)!, clientId: r.clientId, revision: 1, draft: r.content, versions: new Map(), lastSetOn: null });
      }
    } else if (write.kind === 'plan.set') {
      const plan = state.plans.get(id)!;
      plan.versions.set(write.mutation.record.versionId, goalIds(plan.draft!));
      plan.lastSetOn = write.mutation.record.setOn;
      plan.revision += 1;
      plan.draft = null;
      state.planChildTaken.add(write.mutation.record.versionId);
    } else if (write.kind === 'plan.follow_up') {
      state.planChildTaken.add(write.mutation.record.followUpId);
    } else {
      state.planChildTaken.add(write.mutation.record.consentId);
    }
  },
  // Plans are few and each write touches the plan's head: one statement pair per write, in order
  // (an UPDATE … FROM unnest would update a plan saved twice in one run only once).
  writers: {
    'plan.save_draft': async (tx, writes, ctx) => {
      const out: { id: string }[] = [];
      for (const { mutation: m } of writes) {
        const r = m.record;
        const { rows } =
          r.baseRevision === 0
            ? await tx.query<{ id: string }>(
                `INSERT INTO plans (id, unit_id, client_id, revision, draft, draft_based_on, draft_saved_at, draft_by_staff_id, draft_by_hsa_id, draft_by_name, draft_by_title,
                   created_at, created_by_staff_id, created_by_hsa_id, created_by_name, created_by_title, updated_at)
                 SELECT $1, c.unit_id, c.id, 1, $3::jsonb, $4, $5, $6, $7, $8, $9, $5, $6, $7, $8, $9, $5 FROM clients c WHERE c.id = $2
                 ON CONFLICT (id) DO NOTHING RETURNING id`,
                [r.id, r.clientId, JSON.stringify(r.content), r.basedOnVersionId, ctx.now, ...who(ctx)],
              )
            : await tx.query<{ id: string }>(
                `UPDATE plans SET revision = revision + 1, draft = $3::jsonb, draft_based_on = $4, draft_saved_at = $5, draft_by_staff_id = $6,
                   draft_by_hsa_id = $7, draft_by_name = $8, draft_by_title = $9, updated_at = $5
                 WHERE id = $1 AND revision = $2 RETURNING id`,
                [r.id, r.baseRevision, JSON.stringify(r.content), r.basedOnVersionId, ctx.now, ...who(ctx)],
              );
        out.push(...rows);
      }
      return out;
    },
    'plan.set': async (tx, writes, ctx) => {
      const out: { id: string }[] = [];
      for (const { mutation: m } of writes) {
        const r = m.record;
        // The version is the draft as the database holds it at that revision, not text from the push.
        const { rows } = await tx.query<{ id: string }>(
          `WITH v AS (
             INSERT INTO plan_versions (id, plan_id, version_no, content, set_on, set_at, set_by_staff_id, set_by_hsa_id, set_by_name, set_by_title)
             SELECT $2, p.id, coalesce((SELECT max(version_no) FROM plan_versions WHERE plan_id = p.id), 0) + 1, p.draft, $4, $5, $6, $7, $8, $9
               FROM plans p WHERE p.id = $1 AND p.revision = $3 AND p.draft IS NOT NULL
             RETURNING plan_id)
           UPDATE plans SET revision = revision + 1, draft = NULL, draft_based_on = NULL, draft_saved_at = NULL, draft_by_staff_id = NULL,
             draft_by_hsa_id = NULL, draft_by_name = NULL, draft_by_title = NULL, updated_at = $5
            WHERE id IN (SELECT plan_id FROM v) RETURNING id`,
          [r.id, r.versionId, r.revision, r.setOn, ctx.now, ...who(ctx)],
        );
        out.push(...rows);
      }
      return out;
    },
    'plan.follow_up': async (tx, writes, ctx) => {
      const out: { id: string }[] = [];
      for (const { mutation: m } of writes) {
        const r = m.record;
        const { rows } = await tx.query<{ id: string }>(
          `INSERT INTO plan_follow_ups (id, plan_id, version_id, date, outcomes, comment, revise, recorded_at, recorded_by_staff_id, recorded_by_hsa_id, recorded_by_name, recorded_by_title)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING RETURNING plan_id AS id`,
          [r.followUpId, r.id, r.versionId, r.date, JSON.stringify(r.outcomes), r.comment, r.revise, ctx.now, ...who(ctx)],
        );
        if (rows.length > 0) await touch(tx, r.id, ctx.now);
        out.push(...rows);
      }
      return out;
    },
    'plan.consent': async (tx, writes, ctx) => {
      const out: { id: string }[] = [];
      for (const { mutation: m } of writes) {
        const r = m.record;
        const { rows } = await tx.query<{ id: string }>(
          `INSERT INTO plan_consents (id, plan_id, status, date, how, given_by, representative, note, recorded_at, recorded_by_staff_id, recorded_by_hsa_id, recorded_by_name, recorded_by_title)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING RETURNING plan_id AS id`,
          [r.consentId, r.id, r.status, r.date, r.how, r.givenBy, r.representative.trim(), r.note, ctx.now, ...who(ctx)],
        );
        if (rows.length > 0) await touch(tx, r.id, ctx.now);
        out.push(...rows);
      }
      return out;
    },
  },
};

export const plansSync = defineServerKind({
  name: 'plan',
  feed: { table: 'plans', json: planJson },
  push,
  appendOnly: ['plan_versions', 'plan_follow_ups', 'plan_consents'],
});

