import {
  AppFailure,
  applyPlanMutation,
  currentVersion,
  PLAN_AFTER_EXECUTION_DAYS,
  PLAN_MESSAGES,
  PlanContent,
  planDue,
  PlanRecord,
  REVISION_WARNING_DAYS,
  setProblem,
  type Author,
  type LocalPlan,
  type Mutation,
  type PlanConflict,
  type PlanDueItem,
  type PlanMutation,
  type PlanWork,
} from '#contract';
import { defineStoreKind, prepareAll, utc, type KindPart, type LocalMutations, type StoreContext, type UpsertOf } from './kind';

/**
 * Implementation plans in the store (docs/plans.md). A row per plan holds the record as last
 * pulled (`record`) and the plan as the user sees it (`view`): the pulled record with the plan's
 * mutations still in the outbox applied (contract's applyPlanMutation), so a pull that arrives
 * before the server has them does not hide them, and a refusal (undo) shows the server's plan
 * again with the rest still queued. The store belongs to one user, so queued mutations are theirs
 * (`local_author`). The due columns (`revision_due`, `follow_up_due`, `set_on`) come from the view
 * and carry the unit's "Planer att följa upp". The editor's working copy lives in `plan_work`.
 */

interface PlanRow {
  id: string;
  unit_id: string;
  client_id: string;
  record: string | null;
  view: string;
  local_author: string | null;
}

const SCHEMA = `
  CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    record TEXT,               -- PlanRecord as last pulled; null: not on the server yet
    view TEXT NOT NULL,        -- PlanRecord with the queued mutations applied
    local_author TEXT,         -- JSON Author of the queued mutations
    set_on TEXT,               -- the current version's day, null: never set
    revision_due TEXT,
    follow_up_due TEXT
  );
  CREATE INDEX plans_client ON plans (client_id);
  CREATE INDEX plans_unit ON plans (unit_id);
  CREATE INDEX plans_unit_revision ON plans (unit_id, revision_due) WHERE revision_due IS NOT NULL;
  CREATE INDEX plans_unit_follow_up ON plans (unit_id, follow_up_due) WHERE follow_up_due IS NOT NULL;
  CREATE INDEX plans_client_set ON plans (client_id) WHERE set_on IS NOT NULL;
  -- The execution day of the unit's assignments, for clients without a set plan: covering, so the
  -- due list reads no assignment's JSON (10k assignments: 60 ms → see docs/plans.md).
  CREATE INDEX assignments_unit_execution ON assignments (unit_id, status, json_extract(record, '$.executionDate'), client_id);

  -- The plan editor's working copy, saved as the user types (one per client); purged with its unit.
  CREATE TABLE plan_work (
    client_id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    json TEXT NOT NULL,
    saved_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX plan_work_unit ON plan_work (unit_id);`;

/** Assignments whose client is active (the municipality's follow-up counts the same). */
const ACTIVE = `('executed', 'paused', 'cancellation_requested')`;

const parse = (json: string): PlanRecord => JSON.parse(json) as PlanRecord;

export class PlansSql implements KindPart<'plan'> {
  /** Its methods that write local state that is no mutation (the plan's work in progress): LocalStore.write, never read. */
  readonly localWrites = ['saveWork', 'dropWork'] as const;

  private readonly st;
  readonly mutations: LocalMutations<'plan'>;

  constructor(private readonly ctx: StoreContext) {
    const st = prepareAll(ctx.db, {
      row: 'SELECT id, unit_id, client_id, record, view, local_author FROM plans WHERE id = ?',
      write: `INSERT INTO plans (id, unit_id, client_id, record, view, local_author, set_on, revision_due, follow_up_due)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, client_id = excluded.client_id, record = excluded.record, view = excluded.view,
          local_author = excluded.local_author, set_on = excluded.set_on, revision_due = excluded.revision_due,
          follow_up_due = excluded.follow_up_due`,
      del: 'DELETE FROM plans WHERE id = ?',
      purge: 'DELETE FROM plans WHERE unit_id = ?',
      purgeWork: 'DELETE FROM plan_work WHERE unit_id = ?',
      queued: `SELECT json FROM outbox WHERE record_id = ? AND type LIKE 'plan.%' ORDER BY seq`,
      queuedAll: `SELECT record_id, json FROM outbox WHERE type LIKE 'plan.%' ORDER BY seq`,
      pending: 'SELECT count(*) AS n FROM outbox WHERE record_id = ?',
      ofClient: `SELECT p.view, (SELECT count(*) FROM outbox o WHERE o.record_id = p.id) AS pending FROM plans p JOIN units u ON u.unit_id = p.unit_id WHERE p.client_id = ? ORDER BY p.rowid`,
      saveWork: `INSERT INTO plan_work (client_id, unit_id, json, saved_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (client_id) DO UPDATE SET unit_id = excluded.unit_id, json = excluded.json, saved_at = excluded.saved_at`,
      work: 'SELECT w.json, w.saved_at FROM plan_work w JOIN units u ON u.unit_id = w.unit_id WHERE w.client_id = ?',
      dropWork: 'DELETE FROM plan_work WHERE client_id = ?',
      conflicts: `SELECT mutation_id, message, json, at FROM refusals
        WHERE type = 'plan.save_draft' AND code = 'CONFLICT' AND dismissed = 0 AND json ->> '$.record.clientId' = ? ORDER BY at, mutation_id`,
      refusal: `SELECT json FROM refusals WHERE mutation_id = ? AND type = 'plan.save_draft' AND dismissed = 0`,
      due: `SELECT d.client_id, d.plan_id, d.reason, d.due, c.given_name, c.family_name FROM (
          SELECT client_id, id AS plan_id, 'revision' AS reason, revision_due AS due FROM plans WHERE unit_id = @unit AND revision_due <= @horizon
          UNION ALL
          SELECT client_id, id, 'follow_up', follow_up_due FROM plans WHERE unit_id = @unit AND follow_up_due <= @horizon
          UNION ALL
          SELECT a.client_id, NULL, 'no_plan', date(min(json_extract(a.record, '$.executionDate')), '+${PLAN_AFTER_EXECUTION_DAYS} days') AS due
            FROM assignments a
           WHERE a.unit_id = @unit AND a.status IN ${ACTIVE} AND json_extract(a.record, '$.executionDate') IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.client_id = a.client_id AND p.set_on IS NOT NULL)
           GROUP BY a.client_id HAVING due <= @horizon
        ) d JOIN clients c ON c.id = d.client_id
        ORDER BY d.due, c.sort_key, d.client_id, d.reason LIMIT @limit`,
    });
    this.st = st;
    const planMutation = {
      apply: (m: Mutation, author: Author, createdAt: string) => this.applyLocal(m as PlanMutation, author, createdAt),
      undo: (id: string) => this.recompute(id),
    };
    this.mutations = { 'plan.save_draft': planMutation, 'plan.set': planMutation, 'plan.follow_up': planMutation, 'plan.consent': planMutation };
  }

  /** The checks the server makes, against the plan as the user sees it; then the new view. */
  private applyLocal(m: PlanMutation, author: Author, createdAt: string): string {
    const row = this.st.row.get(m.record.id) as PlanRow | undefined;
    if (row && !this.ctx.unitInScope(row.unit_id)) throw AppFailure.rule('NOT_FOUND', PLAN_MESSAGES.planMissing);
    const view = row ? parse(row.view) : null;
    if (m.type === 'plan.save_draft') {
      const unitId = this.ctx.unitOfClient(m.record.clientId);
      if (m.record.baseRevision === 0 && view) throw AppFailure.rule('CONFLICT', PLAN_MESSAGES.planExists);
      if (m.record.baseRevision > 0 && !view) throw AppFailure.rule('NOT_FOUND', PLAN_MESSAGES.planMissing);
      if (view && view.revision !== m.record.baseRevision) throw AppFailure.rule('CONFLICT', PLAN_MESSAGES.staleDraft);
      if (view && view.clientId !== m.record.clientId) throw AppFailure.rule('VALIDATION', PLAN_MESSAGES.planMissing);
      this.write(m.record.id, unitId, m.record.clientId, row?.record ?? null, applyPlanMutation(view, m, { author, at: createdAt, unitId }), author);
      return unitId;
    }
    if (!row || !view) throw AppFailure.rule('NOT_FOUND', PLAN_MESSAGES.planMissing);
    if (m.type === 'plan.set') {
      if (view.revision !== m.record.revision) throw AppFailure.rule('CONFLICT', PLAN_MESSAGES.staleDraft);
      if (!view.draft) throw AppFailure.rule('CONFLICT', PLAN_MESSAGES.noDraft);
      const problem = setProblem(view.draft.content);
      if (problem) throw AppFailure.rule('VALIDATION', problem);
      const last = currentVersion(view);
      if (last && m.record.setOn < last.setOn) throw AppFailure.rule('VALIDATION', PLAN_MESSAGES.setOnBeforeLast);
    } else if (m.type === 'plan.follow_up') {
      const version = view.versions.find((v) => v.id === m.record.versionId);
      if (!version) throw AppFailure.rule('VALIDATION', PLAN_MESSAGES.versionMissing);
      const goals = new Set(version.content.areas.flatMap((a) => a.goals.map((g) => g.id)));
      if (m.record.outcomes.some((o) => !goals.has(o.goalId))) throw AppFailure.rule('VALIDATION', PLAN_MESSAGES.goalMissing);
    } else if (m.record.givenBy === 'representative' && m.record.representative.trim() === '') {
      throw AppFailure.rule('VALIDATION', PLAN_MESSAGES.representativeName);
    }
    this.write(row.id, row.unit_id, row.client_id, row.record, applyPlanMutation(view, m, { author, at: createdAt, unitId: row.unit_id }), author);
    return row.unit_id;
  }

  private write(id: string, unitId: string, clientId: string, record: string | null, view: PlanRecord, author: Author | null): void {
    const due = planDue(view);
    this.st.write.run(id, unitId, clientId, record, JSON.stringify(view), author ? JSON.stringify(author) : null, currentVersion(view)?.setOn ?? null, due.revision, due.followUp);
  }

  /** The view again from the pulled record and what is still queued (after a pull or a refusal). */
  private recompute(id: string, pulled?: { record: PlanRecord; unitId: string }, queuedJson?: string[]): void {
    const row = this.st.row.get(id) as PlanRow | undefined;
    const record = pulled?.record ?? (row?.record ? parse(row.record) : null);
    const queued = (queuedJson ?? (this.st.queued.all(id) as { json: string }[]).map((r) => r.json)).map((j) => JSON.parse(j) as PlanMutation);
    if (!record && queued.length === 0) {
      this.st.del.run(id);
      return;
    }
    const author = row?.local_author ? (JSON.parse(row.local_author) as Author) : null;
    let view = record;
    for (const m of queued) {
      try {
        view = applyPlanMutation(view, m, { author: author ?? view!.createdBy, at: utc(m.createdAt), unitId: pulled?.unitId ?? row!.unit_id });
      } catch {
        // A queued mutation that no longer fits the plan (the server will refuse it): shown when it is refused.
      }
    }
    const unitId = pulled?.unitId ?? row!.unit_id;
    this.write(id, unitId, view!.clientId, record ? JSON.stringify(record) : null, view!, author);
  }

  upsert(changes: UpsertOf<'plan'>[]): void {
    const queued = new Map<string, string[]>();
    for (const r of this.st.queuedAll.all() as { record_id: string; json: string }[]) {
      const list = queued.get(r.record_id);
      if (list) list.push(r.json);
      else queued.set(r.record_id, [r.json]);
    }
    for (const c of changes) {
      const q = queued.get(c.id);
      if (q) this.recompute(c.id, { record: c.record, unitId: c.unitId }, q);
      else this.write(c.id, c.unitId, c.record.clientId, JSON.stringify(c.record), c.record, null);
    }
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
    this.st.purgeWork.run(unitId);
  }

  record(id: string): PlanRecord | null {
    const row = this.st.row.get(id) as PlanRow | undefined;
    return row?.record ? PlanRecord.parse(JSON.parse(row.record)) : null;
  }

  // ---- reads ----

  /** A client's plans in the user's units, as the user sees them. */
  list(clientId: string): LocalPlan[] {
    return (this.st.ofClient.all(clientId) as { view: string; pending: number }[]).map((r) => ({ ...parse(r.view), pending: r.pending }));
  }

  get(id: string): LocalPlan | null {
    const row = this.st.row.get(id) as PlanRow | undefined;
    if (!row || !this.ctx.unitInScope(row.unit_id)) return null;
    return { ...parse(row.view), pending: (this.st.pending.get(id) as { n: number }).n };
  }

  saveWork(work: PlanWork, savedAt: string): { savedAt: string } {
    this.st.saveWork.run(work.clientId, this.ctx.unitOfClient(work.clientId), JSON.stringify(work), utc(savedAt));
    return { savedAt: utc(savedAt) };
  }

  work(clientId: string): (PlanWork & { savedAt: string }) | null {
    const r = this.st.work.get(clientId) as { json: string; saved_at: string } | undefined;
    return r ? { ...(JSON.parse(r.json) as PlanWork), savedAt: r.saved_at } : null;
  }

  dropWork(clientId: string): boolean {
    return this.st.dropWork.run(clientId).changes > 0;
  }

  /** Drafts of the client's plans the server refused as stale, with the text the user wrote. */
  conflicts(clientId: string): PlanConflict[] {
    return (this.st.conflicts.all(clientId) as { mutation_id: string; message: string; json: string; at: string }[]).map((r) => {
      const m = JSON.parse(r.json) as Extract<PlanMutation, { type: 'plan.save_draft' }>;
      return { mutationId: r.mutation_id, planId: m.record.id, message: r.message, at: r.at, mine: PlanContent.parse(m.record.content), basedOnVersionId: m.record.basedOnVersionId };
    });
  }

  /** The refused draft of a conflict (for "keep mine"), or null. */
  conflictDraft(mutationId: string): Extract<PlanMutation, { type: 'plan.save_draft' }>['record'] | null {
    const r = this.st.refusal.get(mutationId) as { json: string } | undefined;
    return r ? (JSON.parse(r.json) as Extract<PlanMutation, { type: 'plan.save_draft' }>).record : null;
  }

  /**
   * "Planer att följa upp" of a unit on `today`: clients without a set plan PLAN_AFTER_EXECUTION_DAYS
   * after their assignment was executed, yearly revisions and planned follow-ups due within
   * REVISION_WARNING_DAYS or overdue; the most overdue first.
   */
  due(q: { unitId: string; today: string; limit: number }): PlanDueItem[] {
    if (!this.ctx.unitInScope(q.unitId)) return [];
    const horizon = new Date(Date.parse(`${q.today}T00:00:00Z`) + REVISION_WARNING_DAYS * 86_400_000).toISOString().slice(0, 10);
    const rows = this.st.due.all({ unit: q.unitId, horizon, limit: q.limit }) as { client_id: string; plan_id: string | null; reason: PlanDueItem['reason']; due: string; given_name: string; family_name: string }[];
    const today = Date.parse(`${q.today}T00:00:00Z`);
    return rows.map((r) => ({
      clientId: r.client_id,
      clientName: `${r.given_name} ${r.family_name}`,
      planId: r.plan_id,
      reason: r.reason,
      dueDate: r.due,
      daysOverdue: Math.round((today - Date.parse(`${r.due}T00:00:00Z`)) / 86_400_000),
    }));
  }
}

export const plansStore = defineStoreKind({
  name: 'plan',
  schema: [{ version: 6, name: 'implementation plans', sql: SCHEMA }],
  open: (ctx) => new PlansSql(ctx),
});
