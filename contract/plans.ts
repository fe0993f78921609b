import { z } from 'zod';
import { call } from './call';
import { CreateId, Uuid } from './domain';
import { ExportDelivery, LifeArea } from './journal';
import { KsiCode, KsiCopy } from './ksi';
import { Author, defineMutation, defineSyncKind } from './sync-kind';
import { IsoDate, IsoDateTime, Label, OptionalText, WrittenText } from './values';

/**
 * Implementation plans (genomförandeplaner, docs/plans.md): drawn up by the provider with the
 * client, set (fastställd) with a date and who set it, revised at least once a year. One synced
 * record per plan: its head (the draft being written, with a revision counter every save and set
 * bumps), its set versions (never changed: the latest is `set`, earlier ones `replaced`), its
 * follow-ups and its consent events. A client may have several plans (one per provider unit or
 * per assignment covered).
 */

/**
 * The plan's text, built twice: strict for what is saved and set (goals and activities written,
 * a KSI code well-formed), and lenient for the editor's autosaved working copy, which holds
 * whatever the user has typed so far (an empty goal just added).
 */
function planContentSchema(strict: boolean) {
  const written = (max: number) => (strict ? WrittenText(max) : OptionalText(max));
  const goal = z.object({ id: Uuid, text: written(2_000) }).strict();
  const area = z.object({ lifeArea: LifeArea, needs: OptionalText(4_000), goals: z.array(goal).max(20) }).strict();
  /** What is done, by whom (a role, not a named person), how and when; optionally a KSI code. */
  const activity = z.object({
    id: Uuid,
    lifeArea: LifeArea.nullable(),
    what: written(2_000),
    who: strict ? Label(200) : OptionalText(200),
    how: OptionalText(2_000),
    /** Days, times, frequency: "mån–fre 08.00–08.30". */
    when: OptionalText(500),
    ksiCode: (strict ? KsiCode : OptionalText(20)).nullable(),
  }).strict();
  return z.object({
    /** The assignments (uppdrag) the plan covers. */
    assignmentIds: z.array(Uuid).max(20),
    /** The client's own goals, in their words. */
    clientGoals: OptionalText(4_000),
    areas: z.array(area).max(11).refine((a) => new Set(a.map((x) => x.lifeArea)).size === a.length, { message: 'Ett livsområde får bara finnas en gång.' }),
    activities: z.array(activity).max(100),
    /** How the client took part, and how much weight their wishes had. */
    participation: OptionalText(4_000),
    othersPresent: z.array(z.object({ role: ParticipantRole, name: OptionalText(200) }).strict()).max(20),
    /** How the provider works with the case officer and with health care. */
    cooperation: OptionalText(4_000),
    /** When and how the plan is followed up. */
    followUp: z.object({ date: IsoDate.nullable(), how: OptionalText(2_000) }).strict(),
  }).strict();
}


export const ParticipantRole = z.enum(['relative', 'interpreter', 'guardian', 'other']);
export type ParticipantRole = z.infer<typeof ParticipantRole>;
export const PARTICIPANT_ROLE_SV: Record<ParticipantRole, string> = { relative: 'Anhörig', interpreter: 'Tolk', guardian: 'God man/förvaltare', other: 'Annan' };

/** The plan's text: what a draft holds and a set version keeps. */
export const PlanContent = planContentSchema(true);
export type PlanContent = z.infer<typeof PlanContent>;
export type PlanGoal = PlanContent['areas'][number]['goals'][number];
export type PlanArea = PlanContent['areas'][number];
export type PlanActivity = PlanContent['activities'][number];

export const emptyPlanContent = (): PlanContent => ({
  assignmentIds: [],
  clientGoals: '',
  areas: [],
  activities: [],
  participation: '',
  othersPresent: [],
  cooperation: '',
  followUp: { date: null, how: '' },
});

export const PlanVersion = z.object({
  id: Uuid,
  versionNo: z.number().int().positive(),
  /** `replaced` once a later version is set. */
  status: z.enum(['set', 'replaced']),
  content: PlanContent,
  setOn: IsoDate,
  setBy: Author,
  setAt: IsoDateTime,
  /** The day the next version was set. */
  replacedOn: IsoDate.nullable(),
});
export type PlanVersion = z.infer<typeof PlanVersion>;

export const GoalOutcome = z.enum(['achieved', 'partly', 'not']);
export type GoalOutcome = z.infer<typeof GoalOutcome>;
export const GOAL_OUTCOME_SV: Record<GoalOutcome, string> = { achieved: 'Uppnått', partly: 'Delvis uppnått', not: 'Inte uppnått' };

export const PlanFollowUp = z.object({
  id: Uuid,
  versionId: Uuid,
  date: IsoDate,
  outcomes: z.array(z.object({ goalId: Uuid, outcome: GoalOutcome, comment: OptionalText(2_000) }).strict()).max(220),
  comment: OptionalText(4_000),
  /** The follow-up found that the plan must be revised. */
  revise: z.boolean(),
  recordedBy: Author,
  recordedAt: IsoDateTime,
});
export type PlanFollowUp = z.infer<typeof PlanFollowUp>;

export const ConsentStatus = z.enum(['given', 'refused', 'revoked']);
export type ConsentStatus = z.infer<typeof ConsentStatus>;
export const CONSENT_STATUS_SV: Record<ConsentStatus, string> = { given: 'Samtycke lämnat', refused: 'Samtycke nekat', revoked: 'Samtycke återkallat' };
export const ConsentHow = z.enum(['oral', 'written']);
export const CONSENT_HOW_SV: Record<z.infer<typeof ConsentHow>, string> = { oral: 'muntligt', written: 'skriftligt' };

/** The client's consent (samtycke) that the case officer may read the plan; the latest event counts. */
export const PlanConsent = z.object({
  id: Uuid,
  status: ConsentStatus,
  date: IsoDate,
  how: ConsentHow,
  /** The client, or their representative (named). */
  givenBy: z.enum(['client', 'representative']),
  representative: OptionalText(200),
  note: OptionalText(1_000),
  recordedBy: Author,
  recordedAt: IsoDateTime,
});
export type PlanConsent = z.infer<typeof PlanConsent>;

export const PlanDraft = z.object({
  /** The set version this draft revises (null: the first version). */
  basedOnVersionId: Uuid.nullable(),
  content: PlanContent,
  savedAt: IsoDateTime,
  savedBy: Author,
});
export type PlanDraft = z.infer<typeof PlanDraft>;

/** The plan as synced (genomförandeplan). */
export const PlanRecord = z.object({
  id: Uuid,
  unitId: Uuid,
  clientId: Uuid,
  /** Grows with every saved draft and every set: a draft pushed from an older revision is a CONFLICT. */
  revision: z.number().int().positive(),
  createdAt: IsoDateTime,
  createdBy: Author,
  draft: PlanDraft.nullable(),
  /** Oldest first. */
  versions: z.array(PlanVersion),
  /** Oldest first (by date). */
  followUps: z.array(PlanFollowUp),
  /** Oldest first (by date); the last one counts. */
  consents: z.array(PlanConsent),
});
export type PlanRecord = z.infer<typeof PlanRecord>;

/**
 * A saved draft's content: strict (every KSI code of a KSI code's form). Whether each code is in the
 * KSI list is checked by whoever holds the list (contract/ksi.ts, `ksiListProblem`): the server
 * against its configured list, the workstation against the copy it got from the server. Versions
 * already set keep the code they had.
 */
export const PlanContentToSave = PlanContent;
/** Saves the draft; `baseRevision` is the revision it was written from (0: a new plan). */
export const PlanSaveDraft = defineMutation(
  'plan.save_draft',
  z.object({ id: Uuid, clientId: Uuid, baseRevision: z.number().int().nonnegative(), basedOnVersionId: Uuid.nullable(), content: PlanContentToSave }).strict(),
);
/** Sets (fastställer) the draft of `revision` as a new version. */
export const PlanSet = defineMutation('plan.set', z.object({ id: Uuid, revision: z.number().int().positive(), versionId: Uuid, setOn: IsoDate }).strict());
export const PlanRecordFollowUp = defineMutation(
  'plan.follow_up',
  z.object({
    id: Uuid,
    followUpId: Uuid,
    versionId: Uuid,
    date: IsoDate,
    outcomes: PlanFollowUp.shape.outcomes,
    comment: OptionalText(4_000),
    revise: z.boolean(),
  }).strict(),
);
export const PlanRecordConsent = defineMutation(
  'plan.consent',
  z.object({
    id: Uuid,
    consentId: Uuid,
    status: ConsentStatus,
    date: IsoDate,
    how: ConsentHow,
    givenBy: z.enum(['client', 'representative']),
    representative: OptionalText(200),
    note: OptionalText(1_000),
  }).strict(),
);
export type PlanMutation =
  | z.infer<typeof PlanSaveDraft>
  | z.infer<typeof PlanSet>
  | z.infer<typeof PlanRecordFollowUp>
  | z.infer<typeof PlanRecordConsent>;

export const plansKind = defineSyncKind({ name: 'plan', record: PlanRecord, mutations: [PlanSaveDraft, PlanSet, PlanRecordFollowUp, PlanRecordConsent], access: ['plan'] });

// ---- rules shared by the server, the store and the screen ----

/** Keys are unique across kinds: the push merges every kind's messages into one table (server/sync/push-rules.ts). */
export const PLAN_MESSAGES = {
  planMissing: 'Genomförandeplanen finns inte (den kan ha tagits bort från dina enheter).',
  planExists: 'Det finns redan en genomförandeplan med samma id.',
  staleDraft: 'Planen har ändrats av någon annan sedan du började skriva. Jämför versionerna och välj vad som ska gälla.',
  noDraft: 'Det finns inget utkast att fastställa (det kan redan ha fastställts av någon annan).',
  notSettable: 'Planen kan inte fastställas: ange minst ett livsområde med mål och minst en aktivitet.',
  versionMissing: 'Uppföljningen måste gälla en fastställd version av planen.',
  goalMissing: 'Uppföljningen nämner ett mål som inte finns i den fastställda versionen.',
  setOnBeforeLast: 'Fastställelsedatumet kan inte vara före den förra versionens.',
  planFutureDate: 'Datumet kan inte ligga i framtiden.',
  draftAssignment: 'Ett av uppdragen i planen finns inte, eller hör inte till brukaren och dina enheter.',
  draftBaseVersion: 'Versionen som utkastet bygger på finns inte i planen.',
  consentFutureDate: 'Samtyckets datum kan inte ligga i framtiden: anteckna samtycket den dag det lämnas, nekas eller återkallas.',
  representativeName: 'Ange namnet på företrädaren.',
  planIdTaken: 'Det finns redan en post med samma id.',
} as const;

/** Why `content` cannot be set, or null. */
export function setProblem(content: PlanContent): string | null {
  const hasGoal = content.areas.some((a) => a.goals.length > 0);
  return hasGoal && content.activities.length > 0 ? null : PLAN_MESSAGES.notSettable;
}

export const currentVersion = (p: Pick<PlanRecord, 'versions'>): PlanVersion | null => p.versions.at(-1) ?? null;

/**
 * The consent event that decides: the one *recorded* last (issue 25) — not the one whose stated
 * date is latest, so a consent dated ahead cannot outrank a revocation recorded after it.
 * Events recorded at the same instant: the later in the list.
 */
export const latestConsent = (p: Pick<PlanRecord, 'consents'>): PlanConsent | null =>
  p.consents.reduce<PlanConsent | null>((last, c) => (last === null || c.recordedAt >= last.recordedAt ? c : last), null);

/** The consent in force: the event recorded last, if it is `given`. */
export const currentConsent = (p: Pick<PlanRecord, 'consents'>): PlanConsent | null => {
  const last = latestConsent(p);
  return last && last.status === 'given' ? last : null;
};

export * from './plan-dates';

// ---- the difference view ----

export interface PlanDiffLine {
  section: string;
  change: 'added' | 'removed' | 'changed';
  before: string | null;
  after: string | null;
}

const LIFE = (a: LifeArea | null) => a ?? 'none';

/** What changed from `before` to `after`, section by section (goals and activities matched by id). */
export function diffPlanContent(before: PlanContent, after: PlanContent, label: (area: LifeArea) => string): PlanDiffLine[] {
  const out: PlanDiffLine[] = [];
  const text = (section: string, a: string, b: string) => {
    if (a !== b) out.push({ section, change: a === '' ? 'added' : b === '' ? 'removed' : 'changed', before: a || null, after: b || null });
  };
  text('Brukarens egna mål', before.clientGoals, after.clientGoals);
  const areasBefore = new Map(before.areas.map((a) => [a.lifeArea, a]));
  const areasAfter = new Map(after.areas.map((a) => [a.lifeArea, a]));
  for (const area of new Set([...areasBefore.keys(), ...areasAfter.keys()])) {
    const a = areasBefore.get(area);
    const b = areasAfter.get(area);
    const name = label(area);
    if (!a) out.push({ section: name, change: 'added', before: null, after: 'Livsområdet lades till' });
    if (!b) out.push({ section: name, change: 'removed', before: 'Livsområdet togs bort', after: null });
    text(`${name}: behov`, a?.needs ?? '', b?.needs ?? '');
    const goalsA = new Map((a?.goals ?? []).map((g) => [g.id, g.text]));
    const goalsB = new Map((b?.goals ?? []).map((g) => [g.id, g.text]));
    for (const id of new Set([...goalsA.keys(), ...goalsB.keys()])) text(`${name}: mål`, goalsA.get(id) ?? '', goalsB.get(id) ?? '');
  }
  const act = (x: PlanActivity) => `${x.what} — ${x.who}${x.how ? `, ${x.how}` : ''}${x.when ? `, ${x.when}` : ''}${x.ksiCode ? ` (KSI ${x.ksiCode})` : ''}`;
  const actsA = new Map(before.activities.map((x) => [x.id, x]));
  const actsB = new Map(after.activities.map((x) => [x.id, x]));
  for (const id of new Set([...actsA.keys(), ...actsB.keys()])) {
    const a = actsA.get(id);
    const b = actsB.get(id);
    const area = LIFE((b ?? a)!.lifeArea);
    text(`Aktivitet${area === 'none' ? '' : ` (${label(area as LifeArea)})`}`, a ? act(a) : '', b ? act(b) : '');
  }
  text('Brukarens delaktighet', before.participation, after.participation);
  const others = (c: PlanContent) => c.othersPresent.map((o) => `${PARTICIPANT_ROLE_SV[o.role]}${o.name ? ` ${o.name}` : ''}`).join(', ');
  text('Andra som deltog', others(before), others(after));
  text('Samverkan', before.cooperation, after.cooperation);
  text('Uppföljning', [before.followUp.date ?? '', before.followUp.how].filter(Boolean).join(', '), [after.followUp.date ?? '', after.followUp.how].filter(Boolean).join(', '));
  return out;
}

// ---- the local view: a plan with the workstation's queued mutations applied ----

/**
 * The plan as the workstation shows it before the server has its queued mutations: `base` (the
 * pulled record, or null for a plan not yet on the server) with `m` applied as the server would.
 * Checks that would refuse it are the caller's (the store's apply).
 */
export function applyPlanMutation(base: PlanRecord | null, m: PlanMutation, ctx: { author: Author; at: string; unitId: string }): PlanRecord {
  const r = m.record;
  if (m.type === 'plan.save_draft') {
    const rec = m.record as z.infer<typeof PlanSaveDraft>['record'];
    const plan: PlanRecord = base ?? { id: rec.id, unitId: ctx.unitId, clientId: rec.clientId, revision: 0, createdAt: ctx.at, createdBy: ctx.author, draft: null, versions: [], followUps: [], consents: [] };
    return { ...plan, revision: plan.revision + 1, draft: { basedOnVersionId: rec.basedOnVersionId, content: rec.content, savedAt: ctx.at, savedBy: ctx.author } };
  }
  if (!base) throw new Error('applyPlanMutation: no plan');
  if (m.type === 'plan.set') {
    const rec = m.record as z.infer<typeof PlanSet>['record'];
    const versions = base.versions.map((v, i) => (i === base.versions.length - 1 ? { ...v, status: 'replaced' as const, replacedOn: rec.setOn } : v));
    versions.push({ id: rec.versionId, versionNo: base.versions.length + 1, status: 'set', content: base.draft!.content, setOn: rec.setOn, setBy: ctx.author, setAt: ctx.at, replacedOn: null });
    return { ...base, revision: base.revision + 1, draft: null, versions };
  }
  if (m.type === 'plan.follow_up') {
    const rec = m.record as z.infer<typeof PlanRecordFollowUp>['record'];
    const f: PlanFollowUp = { id: rec.followUpId, versionId: rec.versionId, date: rec.date, outcomes: rec.outcomes, comment: rec.comment, revise: rec.revise, recordedBy: ctx.author, recordedAt: ctx.at };
    return { ...base, followUps: [...base.followUps, f].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)) };
  }
  const rec = r as z.infer<typeof PlanRecordConsent>['record'];
  const c: PlanConsent = { id: rec.consentId, status: rec.status, date: rec.date, how: rec.how, givenBy: rec.givenBy, representative: rec.representative, note: rec.note, recordedBy: ctx.author, recordedAt: ctx.at };
  // In the order recorded, as the server keeps them: the one recorded last decides (latestConsent).
  return { ...base, consents: [...base.consents, c] };
}

// ---- the renderer ↔ main API ----

export const LocalPlan = PlanRecord.extend({
  /** Mutations of this plan waiting in the outbox ("Ej skickat"). */
  pending: z.number().int().nonnegative(),
});
export type LocalPlan = z.infer<typeof LocalPlan>;

/** A draft refused because someone else changed the plan meanwhile: what the user wrote, kept. */
export const PlanConflict = z.object({ mutationId: Uuid, planId: Uuid, message: z.string(), at: z.string(), mine: PlanContent, basedOnVersionId: Uuid.nullable() });
export type PlanConflict = z.infer<typeof PlanConflict>;

/** The editor's working copy, autosaved in the encrypted store as the user types (not yet queued). */
export const PlanWork = z.object({
  clientId: Uuid,
  planId: Uuid,
  /** The plan revision it was started from (0: a new plan). */
  baseRevision: z.number().int().nonnegative(),
  basedOnVersionId: Uuid.nullable(),
  content: planContentSchema(false),
});
export type PlanWork = z.infer<typeof PlanWork>;

export const DueReason = z.enum(['no_plan', 'revision', 'follow_up']);
export type DueReason = z.infer<typeof DueReason>;
export const DUE_REASON_SV: Record<DueReason, string> = { no_plan: 'Ingen fastställd plan', revision: 'Årlig revidering', follow_up: 'Uppföljning' };
export const PlanDueItem = z.object({
  clientId: Uuid,
  clientName: z.string(),
  planId: Uuid.nullable(),
  reason: DueReason,
  dueDate: IsoDate,
  /** Positive: days overdue; negative: days left. */
  daysOverdue: z.number().int(),
});
export type PlanDueItem = z.infer<typeof PlanDueItem>;

/** The set plan as a PDF to sign: saved through the host (save dialog, download, or the exports folder without a host). */
export const PlanExport = z.object({ fileName: z.string(), bytes: z.number().int().positive(), delivery: ExportDelivery });
export type PlanExport = z.infer<typeof PlanExport>;

/** What the draft editor sends: the plan (new: omit planId), its content and the revision it was written from. */
// The workstation refuses a code outside its copy of the KSI list before it is queued (main/plans), as the server would.
const DraftInput = z.object({ ...CreateId, clientId: Uuid, planId: Uuid.optional(), baseRevision: z.number().int().nonnegative(), basedOnVersionId: Uuid.nullable(), content: PlanContentToSave }).strict();

export const plansApi = {
  /** A client's plans with the queued changes applied; opening them is a read in the access log. */
  list: call(z.object({ clientId: Uuid }).strict(), z.array(LocalPlan)),
  /** Queues the draft (plan.save_draft); the working copy goes. */
  saveDraft: call(DraftInput, LocalPlan),
  /** Sets the plan's draft as a new version (plan.set). */
  set: call(z.object({ planId: Uuid, revision: z.number().int().positive(), setOn: IsoDate }).strict(), LocalPlan),
  followUp: call(PlanRecordFollowUp.shape.record.omit({ followUpId: true }).extend({ id: Uuid, ...CreateId }).strict(), LocalPlan),
  consent: call(PlanRecordConsent.shape.record.omit({ consentId: true }).extend(CreateId).strict(), LocalPlan),
  /** The editor's working copy (autosave). */
  saveWork: call(PlanWork, z.object({ savedAt: z.string() })),
  work: call(z.object({ clientId: Uuid }).strict(), PlanWork.extend({ savedAt: z.string() }).nullable()),
  dropWork: call(z.object({ clientId: Uuid }).strict(), z.object({ deleted: z.boolean() })),
  /** Drafts of the client's plans the server refused as stale (CONFLICT), with what the user wrote. */
  conflicts: call(z.object({ clientId: Uuid }).strict(), z.array(PlanConflict)),
  /** The user chose: `mine` queues the kept text on top of the plan as it is now; `theirs` drops it. */
  resolve: call(z.object({ mutationId: Uuid, keep: z.enum(['mine', 'theirs']) }).strict(), z.object({ plan: LocalPlan.nullable() })),
  /** "Planer att följa upp": the unit's clients and plans due, the most overdue first. */
  due: call(z.object({ unitId: Uuid, limit: z.number().int().min(1).max(1_000).default(200) }).strict(), z.array(PlanDueItem)),
  /** The organisation's KSI list as the workstation last got it from the server (the editor picks from it, offline too). */
  ksi: call(z.object({}).strict(), KsiCopy),
  /** The set version as a PDF for signing (an export in the access log). */
  export: call(z.object({ planId: Uuid }).strict(), PlanExport),
};

// ---- the case officer's API (server) ----

/** What the case officer reads: the current set version, the consent it is read under. */
export const OfficerPlan = z.object({
  planId: Uuid,
  clientId: Uuid,
  unitName: z.string(),
  version: PlanVersion,
  consent: PlanConsent,
  followUps: z.array(PlanFollowUp),
});
export type OfficerPlan = z.infer<typeof OfficerPlan>;

export const OfficerPlanListItem = z.object({
  planId: Uuid,
  clientId: Uuid,
  unitName: z.string(),
  versionNo: z.number().int().positive().nullable(),
  setOn: IsoDate.nullable(),
  consent: z.enum(['given', 'refused', 'revoked', 'none']),
});
export type OfficerPlanListItem = z.infer<typeof OfficerPlanListItem>;

export const PlanUnitStats = z.object({
  unitId: Uuid,
  unitName: z.string(),
  activeClients: z.number().int().nonnegative(),
  withSetPlan: z.number().int().nonnegative(),
  overdueRevision: z.number().int().nonnegative(),
});
export type PlanUnitStats = z.infer<typeof PlanUnitStats>;

export const officerPlanRoutes = {
  /** The plans of a client of an assignment the officer's municipality sent (listing names no plan text). */
  list: { method: 'GET', path: '/api/v1/officer/clients/:clientId/plans', response: z.object({ plans: z.array(OfficerPlanListItem) }) },
  /** The current set version: only with the client's consent in force (else 403 FORBIDDEN saying consent is missing). */
  get: { method: 'GET', path: '/api/v1/officer/plans/:id', response: OfficerPlan },
  /** Per provider unit: active clients, how many have a set plan, how many are overdue for revision. */
  stats: { method: 'GET', path: '/api/v1/officer/plan-stats', response: z.object({ units: z.array(PlanUnitStats), at: IsoDate }) },
} as const;
