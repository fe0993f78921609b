import { z } from 'zod';
import { call } from './call';
import { CreateId, Uuid } from './domain';
import { ExportDelivery } from './journal';
import { Author, defineMutation, defineSyncKind } from './sync-kind';
import { IsoDate, IsoDateTime, Label, OptionalText, WrittenText } from './values';

/**
 * Deviations (avvikelser) and lex Sarah (docs/deviations.md). Any staff member reports one,
 * offline like every write (`deviation.report`, a synced record the reporter alone pulls back, to
 * follow its status). The unit's manager (the `manager` role) handles it on the server in
 * append-only steps: received → investigation → measures → decision → (the report to IVO) →
 * closed. A serious case (allvarligt missförhållande, or a påtaglig risk för ett allvarligt
 * missförhållande) must be reported to IVO within two weeks of the report.
 */

/** Verkställighet first (missed, late visit), then the kinds of harm, then the health side (to the nurse). */
export const DeviationCategory = z.enum(['missed_visit', 'late_visit', 'fall', 'treatment', 'hygiene_care', 'medication', 'other']);
export type DeviationCategory = z.infer<typeof DeviationCategory>;
export const DEVIATION_CATEGORY_SV: Record<DeviationCategory, string> = {
  missed_visit: 'Verkställighet – uteblivet besök',
  late_visit: 'Verkställighet – försenat besök',
  fall: 'Fall',
  treatment: 'Bemötande',
  hygiene_care: 'Hygien/omvårdnad',
  medication: 'Läkemedelsrelaterad (lämnas till sjuksköterskan: HSL, lex Maria)',
  other: 'Annat',
};

/** The reporter's own view: is it a lex Sarah case (a missförhållande or a risk of one)? An explicit choice. */
export const LexSarahOpinion = z.enum(['yes', 'no', 'unsure']);
export type LexSarahOpinion = z.infer<typeof LexSarahOpinion>;
export const LEX_SARAH_OPINION_SV: Record<LexSarahOpinion, string> = { yes: 'Ja', no: 'Nej', unsure: 'Vet inte' };

/** The manager's decision (bedömning). No default. `serious` and `serious_risk` are reported to IVO. */
export const DeviationDecision = z.enum(['none', 'missforhallande', 'risk', 'serious_risk', 'serious']);
export type DeviationDecision = z.infer<typeof DeviationDecision>;
export const DEVIATION_DECISION_SV: Record<DeviationDecision, string> = {
  none: 'Inte ett missförhållande',
  missforhallande: 'Missförhållande',
  risk: 'Påtaglig risk för ett missförhållande',
  serious_risk: 'Påtaglig risk för ett allvarligt missförhållande',
  serious: 'Allvarligt missförhållande',
};
export const reportableToIvo = (d: DeviationDecision | null): boolean => d === 'serious' || d === 'serious_risk';

/** Where the handling stands; the reporter sees this, not the investigation. */
export const DeviationStatus = z.enum(['reported', 'received', 'investigating', 'decided', 'closed']);
export type DeviationStatus = z.infer<typeof DeviationStatus>;
export const DEVIATION_STATUS_SV: Record<DeviationStatus, string> = {
  reported: 'Rapporterad',
  received: 'Mottagen av verksamhetsansvarig',
  investigating: 'Utreds',
  decided: 'Bedömd',
  closed: 'Avslutad',
};

/** The report as written: never changed after it is sent. */
const reportFields = {
  unitId: Uuid,
  clientId: Uuid.nullable(),
  /** The assignment whose execution it concerns (the case officer is informed and may read it). */
  assignmentId: Uuid.nullable(),
  occurredAt: IsoDateTime,
  place: Label(200),
  category: DeviationCategory,
  /** Vad hände. */
  description: WrittenText(4_000),
  /** Konsekvens för brukaren. */
  consequence: OptionalText(2_000),
  /** Vad gjordes direkt. */
  immediateAction: OptionalText(2_000),
  lexSarah: LexSarahOpinion,
};

/** The synced record: the reporter's own report and where its handling stands. */
export const DeviationRecord = z.object({
  id: Uuid,
  ...reportFields,
  place: z.string().max(200),
  description: z.string().max(4_000),
  reportedBy: Author,
  reportedAt: IsoDateTime,
  status: DeviationStatus,
  decision: DeviationDecision.nullable(),
  closedAt: IsoDateTime.nullable(),
});
export type DeviationRecord = z.infer<typeof DeviationRecord>;

export const DeviationReport = defineMutation('deviation.report', z.object({ id: Uuid, ...reportFields }).strict());
export type DeviationReport = z.infer<typeof DeviationReport>;

export const deviationsKind = defineSyncKind({
  name: 'deviation',
  record: DeviationRecord,
  mutations: [DeviationReport],
  // The manager's reading of one deviation, the case officer's list and one.
  access: ['deviation', 'deviation_list'],
});

/** A workstation clock a little ahead is no reason to refuse "now": a report may be this far ahead of its writing. */
export const DEVIATION_CLOCK_SKEW_MS = 10 * 60_000;
/** The event is later than `now` by more than the clock skew (refused at the workstation when written, and by the server). */
export const deviationInFuture = (occurredAt: string, now: Date): boolean => Date.parse(occurredAt) > now.getTime() + DEVIATION_CLOCK_SKEW_MS;

export const DEVIATION_MESSAGES = {
  deviationMissing: 'Avvikelsen finns inte, eller hör till en enhet du inte är verksamhetsansvarig för.',
  deviationAssignment: 'Uppdraget finns inte, eller gäller en annan brukare eller enhet.',
  deviationFuture: 'Händelsen kan inte ha inträffat i framtiden.',
  managerOnly: 'Endast verksamhetsansvarig för enheten handlägger avvikelser.',
  stepOrder: 'Steget kan inte antecknas nu',
  closedAlready: 'Avvikelsen är avslutad: inget kan läggas till.',
  stepIdTaken: 'Det finns redan ett annat steg med samma id.',
} as const;

// ---- the manager's handling: append-only steps ----

const stepBodies = [
  z.object({ id: Uuid, kind: z.literal('received') }).strict(),
  /** Utredning: the facts, the client's own view, the causes. May be added to (another record). */
  z.object({ id: Uuid, kind: z.literal('investigation'), facts: WrittenText(8_000), clientView: OptionalText(4_000), causes: OptionalText(4_000) }).strict(),
  /** Åtgärd: what, who is responsible, by when. The step's id is the measure's. */
  z.object({ id: Uuid, kind: z.literal('measure'), what: WrittenText(2_000), responsible: Label(200), dueDate: IsoDate }).strict(),
  z.object({ id: Uuid, kind: z.literal('measure_done'), measureId: Uuid, doneOn: IsoDate }).strict(),
  z.object({ id: Uuid, kind: z.literal('decision'), decision: DeviationDecision, reasoning: WrittenText(4_000) }).strict(),
  /** The report to IVO (made in IVO's e-service): its date and IVO's reference (diarienummer). */
  z.object({ id: Uuid, kind: z.literal('ivo_report'), reportedOn: IsoDate, reference: Label(100) }).strict(),
  z.object({ id: Uuid, kind: z.literal('closed'), summary: OptionalText(2_000) }).strict(),
] as const;
export const DeviationStepInput = z.discriminatedUnion('kind', stepBodies);
export type DeviationStepInput = z.infer<typeof DeviationStepInput>;
export type DeviationStepKind = DeviationStepInput['kind'];
export const DEVIATION_STEP_SV: Record<DeviationStepKind, string> = {
  received: 'Mottagen',
  investigation: 'Utredning',
  measure: 'Åtgärd',
  measure_done: 'Åtgärd genomförd',
  decision: 'Bedömning',
  ivo_report: 'Anmäld till IVO',
  closed: 'Avslutad',
};

/** A written step: who and when, set by the server; never changed. */
const [received, investigation, measure, measureDone, decision, ivoReport, closed] = stepBodies;
const who = { by: Author, at: IsoDateTime };
export const DeviationStep = z.discriminatedUnion('kind', [
  received.extend(who),
  investigation.extend(who),
  measure.extend(who),
  measureDone.extend(who),
  decision.extend(who),
  ivoReport.extend(who),
  closed.extend(who),
]);
export type DeviationStep = DeviationStepInput & { by: Author; at: string };

/** Days from the report: received within 1, investigated within 7, decided and (a serious case) reported to IVO within 14, closed within 30. */
export const DEVIATION_DUE_DAYS = { received: 1, investigation: 7, decision: 14, ivo_report: 14, closed: 30 } as const;

export const NextStep = z.enum(['received', 'investigation', 'measure_done', 'decision', 'ivo_report', 'closed']);
export type NextStep = z.infer<typeof NextStep>;

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Where a case stands after its steps (in order): its status, its decision, and the next step with
 * its due day (`reportedOn` is the Swedish day of the report). Null next step: closed.
 */
export function deviationProgress(reportedOn: string, steps: readonly DeviationStepInput[]): {
  status: DeviationStatus;
  decision: DeviationDecision | null;
  next: NextStep | null;
  due: string | null;
  ivoDue: string | null;
} {
  const has = (k: DeviationStepKind) => steps.some((s) => s.kind === k);
  const decision = (steps.find((s) => s.kind === 'decision') as Extract<DeviationStepInput, { kind: 'decision' }> | undefined)?.decision ?? null;
  const ivoDue = reportableToIvo(decision) && !has('ivo_report') ? addDays(reportedOn, DEVIATION_DUE_DAYS.ivo_report) : null;
  if (has('closed')) return { status: 'closed', decision, next: null, due: null, ivoDue: null };
  const status: DeviationStatus = decision ? 'decided' : has('investigation') ? 'investigating' : has('received') ? 'received' : 'reported';
  const due = (k: keyof typeof DEVIATION_DUE_DAYS) => addDays(reportedOn, DEVIATION_DUE_DAYS[k]);
  if (!has('received')) return { status, decision, next: 'received', due: due('received'), ivoDue };
  if (!has('investigation')) return { status, decision, next: 'investigation', due: due('investigation'), ivoDue };
  const done = new Set(steps.flatMap((s) => (s.kind === 'measure_done' ? [s.measureId] : [])));
  const open = steps.flatMap((s) => (s.kind === 'measure' && !done.has(s.id) ? [s.dueDate] : [])).sort();
  const candidates: [NextStep, string][] = [];
  if (!decision) candidates.push(['decision', due('decision')]);
  if (ivoDue) candidates.push(['ivo_report', ivoDue]);
  if (open[0]) candidates.push(['measure_done', open[0]]);
  if (candidates.length === 0) candidates.push(['closed', due('closed')]);
  const [next, nextDue] = candidates.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))[0]!;
  return { status, decision, next, due: nextDue, ivoDue };
}

/** Why a step cannot be written now (Swedish), or null: the order the handling follows, nothing after closing. */
export function stepProblem(steps: readonly DeviationStepInput[], step: DeviationStepInput): string | null {
  const has = (k: DeviationStepKind) => steps.some((s) => s.kind === k);
  const say = (why: string) => `${DEVIATION_MESSAGES.stepOrder}: ${why}`;
  if (has('closed')) return DEVIATION_MESSAGES.closedAlready;
  if (steps.some((s) => s.id === step.id)) return DEVIATION_MESSAGES.stepIdTaken;
  switch (step.kind) {
    case 'received':
      return has('received') ? say('avvikelsen är redan mottagen.') : null;
    case 'investigation':
      return has('received') ? null : say('ta emot avvikelsen först.');
    case 'measure':
      return has('investigation') ? null : say('utred först.');
    case 'measure_done': {
      if (!steps.some((s) => s.kind === 'measure' && s.id === step.measureId)) return say('åtgärden finns inte.');
      return steps.some((s) => s.kind === 'measure_done' && s.measureId === step.measureId) ? say('åtgärden är redan genomförd.') : null;
    }
    case 'decision':
      if (has('decision')) return say('avvikelsen är redan bedömd.');
      return has('investigation') ? null : say('utred först.');
    case 'ivo_report': {
      const d = steps.find((s) => s.kind === 'decision') as Extract<DeviationStepInput, { kind: 'decision' }> | undefined;
      if (!d || !reportableToIvo(d.decision)) return say('bara ett allvarligt missförhållande eller en påtaglig risk för ett sådant anmäls till IVO.');
      return has('ivo_report') ? say('anmälan till IVO är redan antecknad.') : null;
    }
    case 'closed': {
      const d = steps.find((s) => s.kind === 'decision') as Extract<DeviationStepInput, { kind: 'decision' }> | undefined;
      if (!d) return say('bedöm avvikelsen först.');
      if (reportableToIvo(d.decision) && !has('ivo_report')) return say('anteckna anmälan till IVO först.');
      const done = new Set(steps.flatMap((s) => (s.kind === 'measure_done' ? [s.measureId] : [])));
      return steps.some((s) => s.kind === 'measure' && !done.has(s.id)) ? say('alla åtgärder är inte genomförda.') : null;
    }
  }
}

// ---- the manager's API (server) ----

export const DeviationListItem = z.object({
  id: Uuid,
  unitId: Uuid,
  unitName: z.string(),
  clientId: Uuid.nullable(),
  clientName: z.string().nullable(),
  category: DeviationCategory,
  occurredAt: IsoDateTime,
  reportedAt: IsoDateTime,
  lexSarah: LexSarahOpinion,
  status: DeviationStatus,
  decision: DeviationDecision.nullable(),
  next: NextStep.nullable(),
  due: IsoDate.nullable(),
  /** The IVO report's due day while a serious case is not reported. */
  ivoDue: IsoDate.nullable(),
  overdue: z.boolean(),
});
export type DeviationListItem = z.infer<typeof DeviationListItem>;

/** One case as the manager reads it: the report, the reporter, every step. */
export const DeviationCase = z.object({
  record: DeviationRecord,
  unitName: z.string(),
  clientName: z.string().nullable(),
  /** Personnummer of the client, for the IVO report; null without a client. */
  clientPersonnummer: z.string().nullable(),
  steps: z.array(DeviationStep),
  next: NextStep.nullable(),
  due: IsoDate.nullable(),
  ivoDue: IsoDate.nullable(),
  /** Whether the case officer of the assignment was informed (a secure message). */
  officerInformed: z.boolean(),
});
export type DeviationCase = z.infer<typeof DeviationCase>;

export const DeviationListQuery = z.object({
  unitId: Uuid.optional(),
  state: z.enum(['open', 'closed', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
}).strict();

export const DeviationStatsQuery = z.object({ from: IsoDate, to: IsoDate, unitId: Uuid.optional() }).strict();
export const DeviationStatsRow = z.object({
  unitId: Uuid,
  category: DeviationCategory,
  /** YYYY-MM, the month of the report. */
  month: z.string().regex(/^\d{4}-\d{2}$/),
  count: z.number().int().nonnegative(),
  closed: z.number().int().nonnegative(),
  /** Median days from the report to received, and to closed, of the month's received and closed ones (one decimal; null: none yet). */
  daysToReceive: z.number().nullable(),
  daysToClose: z.number().nullable(),
});
/** The rows, and the units' names once (a year of ten units is ~800 rows). */
export const DeviationStats = z.object({ units: z.array(z.object({ unitId: Uuid, unitName: z.string() })), rows: z.array(DeviationStatsRow) });
export type DeviationStats = z.infer<typeof DeviationStats>;
/** Patterns in the period: the same client again, the same hour of the day again. */
export const DeviationPatterns = z.object({
  clients: z.array(z.object({ clientId: Uuid, clientName: z.string(), unitName: z.string(), count: z.number().int().positive() })),
  hours: z.array(z.object({ hour: z.number().int().min(0).max(23), count: z.number().int().positive() })),
  clientHours: z.array(z.object({ clientId: Uuid, clientName: z.string(), hour: z.number().int().min(0).max(23), count: z.number().int().positive() })),
});
export type DeviationPatterns = z.infer<typeof DeviationPatterns>;

/** What the case officer reads: the report without the reporter, the decision and measures, the IVO report. */
export const OfficerDeviation = z.object({
  id: Uuid,
  assignmentId: Uuid,
  clientId: Uuid.nullable(),
  unitName: z.string(),
  category: DeviationCategory,
  occurredAt: IsoDateTime,
  place: z.string(),
  description: z.string(),
  consequence: z.string(),
  immediateAction: z.string(),
  reportedAt: IsoDateTime,
  status: DeviationStatus,
  decision: DeviationDecision.nullable(),
  measures: z.array(z.object({ what: z.string(), dueDate: IsoDate, doneOn: IsoDate.nullable() })),
  ivoReport: z.object({ reportedOn: IsoDate, reference: z.string() }).nullable(),
});
export type OfficerDeviation = z.infer<typeof OfficerDeviation>;

export const deviationRoutes = {
  /** The manager's list: the units she manages, overdue steps first. */
  list: { method: 'GET', path: '/api/v1/deviations', response: z.object({ items: z.array(DeviationListItem) }) },
  get: { method: 'GET', path: '/api/v1/deviations/:id', response: DeviationCase },
  /** An append-only step; the same step id again answers the case as it is (idempotent). */
  step: { method: 'POST', path: '/api/v1/deviations/:id/steps', body: DeviationStepInput, response: DeviationCase },
  stats: { method: 'GET', path: '/api/v1/deviation-stats', response: DeviationStats },
  patterns: { method: 'GET', path: '/api/v1/deviation-patterns', response: DeviationPatterns },
  officerList: { method: 'GET', path: '/api/v1/officer/deviations', response: z.object({ deviations: z.array(OfficerDeviation) }) },
  officerGet: { method: 'GET', path: '/api/v1/officer/deviations/:id', response: OfficerDeviation },
} as const;

// ---- the renderer ↔ main API ----

export const LocalDeviation = DeviationRecord.extend({ pending: z.boolean() });
export type LocalDeviation = z.infer<typeof LocalDeviation>;

export const DeviationIvoPdf = z.object({ fileName: z.string(), bytes: z.number().int().positive(), delivery: ExportDelivery });

export const deviationsApi = {
  /** Queues a report (deviation.report): offline like every write. Its `requestId` is the report's id (one per report the form writes). */
  report: call(z.object({ ...CreateId, ...reportFields }).strict(), LocalDeviation),
  /** The user's own reports and their status, newest first (the local store). */
  mine: call(z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(), z.array(LocalDeviation)),
  /** The manager's side: online, from the server. */
  list: call(DeviationListQuery, z.array(DeviationListItem)),
  get: call(z.object({ id: Uuid }).strict(), DeviationCase),
  step: call(z.object({ deviationId: Uuid, step: DeviationStepInput }).strict(), DeviationCase),
  stats: call(DeviationStatsQuery, DeviationStats),
  patterns: call(DeviationStatsQuery, DeviationPatterns),
  /** What IVO's e-service asks for, as a PDF (an export in the access log). */
  ivoPdf: call(z.object({ id: Uuid }).strict(), DeviationIvoPdf),
};
