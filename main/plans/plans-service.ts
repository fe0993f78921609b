import { randomUUID } from 'node:crypto';
import { AppFailure, assertKsiInList, because, currentVersion, PLAN_MESSAGES, swedishDate, type Author, type LocalPlan, type Mutation, type PlanContent, type PlanExport, type PlanWork } from '#contract';
import type { AccessReporter } from '../access/access-reporter';
import { swedishFileStamp, type ExportSink } from '../exports/export-sink';
import type { LocalStore } from '../store/types';
import type { KsiListCopy } from './ksi-list';
import { planPdf } from './pdf';

export interface PlansDeps {
  store: () => Promise<LocalStore>;
  author: () => Author;
  access: Pick<AccessReporter, 'record'>;
  /** After a local write: push soon, tell the renderer. */
  written: (kinds: string[]) => void;
  /** Where an export goes: the host's save dialog or download, else the exports folder. */
  exports: () => ExportSink;
  /** The organisation's KSI list as last fetched from the server: drafts are checked against it, the PDF labels codes with it. */
  ksi: Pick<KsiListCopy, 'settled' | 'codes'>;
  now?: () => Date;
}

type DraftInput = { clientId: string; planId?: string | undefined; requestId?: string | undefined; baseRevision: number; basedOnVersionId: string | null; content: PlanContent };
type FollowUpInput = Omit<Extract<Mutation, { type: 'plan.follow_up' }>['record'], 'followUpId'>;
type ConsentInput = Omit<Extract<Mutation, { type: 'plan.consent' }>['record'], 'consentId'>;

/**
 * Implementation plans on the workstation (docs/plans.md): the client's plans from the encrypted
 * store (opening them is a read in the access log), writes queued through the outbox (draft, set,
 * follow-up, consent), the editor's autosaved working copy, drafts the server refused as stale
 * (the user chooses), the unit's due list and the PDF for signing.
 */
export class PlansService {
  constructor(private readonly deps: PlansDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async list(clientId: string): Promise<LocalPlan[]> {
    const store = await this.deps.store();
    if (!(await store.client(clientId))) throw new AppFailure('NOT_FOUND', 'client not in the user\'s units', because('CLIENT_NOT_IN_UNITS'));
    const plans = await store.read('plan', 'list', clientId);
    await this.deps.access.record({ action: 'read', clientId, recordType: 'plan' });
    return plans;
  }

  private async enqueue(m: Mutation): Promise<LocalPlan> {
    const store = await this.deps.store();
    await store.enqueue(m, this.deps.author());
    this.deps.written(['plan']);
    const plan = await store.read('plan', 'get', m.record.id);
    if (!plan) throw new AppFailure('NOT_FOUND', 'plan not in the user\'s units', because('PLAN_NOT_IN_UNITS'));
    return plan;
  }

  private base() {
    return { mutationId: randomUUID(), createdAt: this.now().toISOString() };
  }

  /** Queues the draft; the editor's working copy has done its job. */
  async saveDraft(input: DraftInput): Promise<LocalPlan> {
    // A new plan's id is the editor's client-made one (the same save again is the same plan).
    const id = input.planId ?? input.requestId ?? randomUUID();
    // A code outside the organisation's list is refused here, as the server would (in the same words).
    assertKsiInList(input.content.activities, this.deps.ksi.codes());
    const plan = await this.enqueue({
      ...this.base(),
      type: 'plan.save_draft',
      record: { id, clientId: input.clientId, baseRevision: input.baseRevision, basedOnVersionId: input.basedOnVersionId, content: input.content },
    });
    await (await this.deps.store()).write('plan', 'dropWork', input.clientId);
    return plan;
  }

  set(input: { planId: string; revision: number; setOn: string }): Promise<LocalPlan> {
    return this.enqueue({ ...this.base(), type: 'plan.set', record: { id: input.planId, revision: input.revision, versionId: randomUUID(), setOn: input.setOn } });
  }

  /** The follow-up's id is the form's client-made one (`requestId`): the server keeps it. */
  followUp({ requestId, ...input }: FollowUpInput & { requestId?: string | undefined }): Promise<LocalPlan> {
    return this.enqueue({ ...this.base(), type: 'plan.follow_up', record: { ...input, followUpId: requestId ?? randomUUID() } });
  }

  consent({ requestId, ...input }: ConsentInput & { requestId?: string | undefined }): Promise<LocalPlan> {
    if (input.date > swedishDate(this.now())) throw AppFailure.rule('VALIDATION', PLAN_MESSAGES.consentFutureDate);
    return this.enqueue({ ...this.base(), type: 'plan.consent', record: { ...input, consentId: requestId ?? randomUUID() } });
  }

  // ---- the editor's working copy ----

  async saveWork(work: PlanWork): Promise<{ savedAt: string }> {
    return (await this.deps.store()).write('plan', 'saveWork', work, this.now().toISOString());
  }

  async work(clientId: string) {
    return (await this.deps.store()).read('plan', 'work', clientId);
  }

  async dropWork(clientId: string): Promise<{ deleted: boolean }> {
    return { deleted: await (await this.deps.store()).write('plan', 'dropWork', clientId) };
  }

  // ---- conflicts ----

  async conflicts(clientId: string) {
    return (await this.deps.store()).read('plan', 'conflicts', clientId);
  }

  /**
   * The user's choice on a stale draft: `mine` queues their text as the next draft of the plan as
   * it is now (someone else's changes are replaced by it, knowingly); `theirs` drops their text.
   * Either way the refusal is dismissed.
   */
  async resolve(input: { mutationId: string; keep: 'mine' | 'theirs' }): Promise<{ plan: LocalPlan | null }> {
    const store = await this.deps.store();
    const mine = await store.read('plan', 'conflictDraft', input.mutationId);
    if (!mine) throw new AppFailure('NOT_FOUND', 'conflict already resolved', because('PLAN_CONFLICT_RESOLVED'));
    let plan: LocalPlan | null = await store.read('plan', 'get', mine.id);
    if (input.keep === 'mine') {
      plan = await this.saveDraft({
        clientId: mine.clientId,
        planId: plan ? mine.id : randomUUID(),
        baseRevision: plan?.revision ?? 0,
        basedOnVersionId: plan ? (currentVersion(plan)?.id ?? null) : null,
        content: mine.content,
      });
    }
    await store.dismissRefusal(input.mutationId);
    this.deps.written(['plan']);
    return { plan };
  }

  /** The KSI list the editor picks from (public data: no access-log event). */
  ksi() {
    return this.deps.ksi.settled();
  }

  // ---- the unit's due list, the printout ----

  async due(q: { unitId: string; limit: number }) {
    const store = await this.deps.store();
    if (!(await store.units()).some((u) => u.unitId === q.unitId)) throw new AppFailure('FORBIDDEN', 'unit not permitted', because('UNIT_NOT_PERMITTED'));
    return store.read('plan', 'due', { unitId: q.unitId, today: swedishDate(this.now()), limit: q.limit });
  }

  async exportPdf(planId: string): Promise<PlanExport> {
    const { pdf, fileName } = await this.renderPdf(planId);
    const delivery = await this.deps.exports().deliver({ fileName, pdf }, 'save');
    return { fileName, bytes: pdf.length, delivery };
  }

  /** The client's current set plan, for a message's attachment (main/messages): as renderPdf. */
  async renderCurrentPdf(clientId: string): Promise<{ pdf: Buffer; fileName: string }> {
    const plans = await (await this.deps.store()).read('plan', 'list', clientId);
    const plan = plans.find((p) => currentVersion(p));
    if (!plan) throw new AppFailure('NOT_FOUND', 'client has no adopted plan', because('PLAN_NONE_ADOPTED'));
    return this.renderPdf(plan.id);
  }

  /**
   * A set version as a PDF, an `export` in the access log; handed out by exportPdf through the host,
   * or attached to a message. The file name holds no name or personnummer.
   */
  async renderPdf(planId: string): Promise<{ pdf: Buffer; fileName: string }> {
    const store = await this.deps.store();
    const plan = await store.read('plan', 'get', planId);
    const version = plan ? currentVersion(plan) : null;
    if (!plan || !version) throw new AppFailure('NOT_FOUND', 'plan has no adopted version to print', because('PLAN_NO_VERSION_TO_PRINT'));
    const client = await store.client(plan.clientId);
    if (!client) throw new AppFailure('NOT_FOUND', 'client not in the user\'s units', because('CLIENT_NOT_IN_UNITS'));
    const printedAt = this.now();
    const author = this.deps.author();
    const covered = (await Promise.all(version.content.assignmentIds.map((id) => store.inboxAssignment(id)))).flatMap((a) =>
      a ? [`${a.services.map((x) => x.name).join(', ')} (beslut ${a.decision.reference})`] : [],
    );
    const pdf = await planPdf(client, plan, version, { printedBy: `${author.name}, ${author.title}`, printedAt, covered, ksi: this.deps.ksi.codes() });
    // Logged before the document leaves: an export whose logging failed is not handed out.
    await this.deps.access.record({ action: 'export', clientId: plan.clientId, recordType: 'plan', recordId: plan.id });
    // No name or personnummer in the file name; the time is Swedish, as the user reads it.
    const fileName = `genomforandeplan-v${version.versionNo}-${swedishFileStamp(printedAt)}.pdf`;
    return { pdf, fileName };
  }
}

/** The `plans` API namespace over the service. */
export function plansHandlers(svc: PlansService) {
  return {
    list: ({ clientId }: { clientId: string }) => svc.list(clientId),
    saveDraft: (input: DraftInput) => svc.saveDraft(input),
    set: (input: { planId: string; revision: number; setOn: string }) => svc.set(input),
    followUp: (input: FollowUpInput) => svc.followUp(input),
    consent: (input: ConsentInput) => svc.consent(input),
    saveWork: (work: PlanWork) => svc.saveWork(work),
    work: ({ clientId }: { clientId: string }) => svc.work(clientId),
    dropWork: ({ clientId }: { clientId: string }) => svc.dropWork(clientId),
    conflicts: ({ clientId }: { clientId: string }) => svc.conflicts(clientId),
    resolve: (input: { mutationId: string; keep: 'mine' | 'theirs' }) => svc.resolve(input),
    due: (q: { unitId: string; limit: number }) => svc.due(q),
    ksi: () => svc.ksi(),
    export: ({ planId }: { planId: string }) => svc.exportPdf(planId),
  };
}
