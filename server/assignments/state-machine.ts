import type {
  AssignmentStatus,
  Cancellation,
  Decision,
  DistributedTo,
  GrantedService,
  OfficerAction,
  Pause,
  ProviderAction,
  Registration,
  ServiceKind,
} from '#contract';
import { REGISTRATION_OF_KIND, SERVICE_KIND_LABELS } from '#contract';


/**
 * The assignment state machine (docs/assignments.md), pure: given the assignment as it is, an
 * action and today's date, it answers the assignment as it becomes and the details of the history
 * event — or a refusal with a Swedish message for the user. No database, no clock of its own.
 *
 *   new ──confirm──▶ confirmed ──execute──▶ executed ──pause──▶ paused
 *                                             ▲  │   ◀──resume──┘ │
 *                                             └──┘ execute         │
 *                                   (correct the date)             │
 *   executed / paused ──end──▶ ended
 *   new / confirmed / executed / paused ──cancel (officer)──▶ cancellation_requested
 *                                        ──confirm_cancellation──▶ cancelled
 *
 * Refusals: CONFLICT when the action does not fit the status, VALIDATION when a date breaks a rule.
 */

export interface AssignmentState {
  status: AssignmentStatus;
  unitId: string;
  decision: Decision;
  services: GrantedService[];
  serviceKind: ServiceKind;
  startDate: string;
  endDate: string | null;
  freeText: string;
  confirmedAt: string | null;
  distributedTo: DistributedTo | null;
  executionDate: string | null;
  pauses: Pause[];
  registrations: Registration[];
  cancellation: Cancellation | null;
  /** A change by the case officer not yet confirmed as seen by the provider (confirm_change). */
  changePending: boolean;
}

export interface TransitionContext {
  /** Today in Sweden, YYYY-MM-DD. */
  today: string;
  /** Now, for the timestamps of confirmation and cancellation. */
  now: Date;
}

export type Details = Record<string, unknown>;
export type Outcome =
  | { ok: true; state: AssignmentState; details: Details }
  | { ok: false; code: 'CONFLICT' | 'VALIDATION'; message: string };

const conflict = (message: string): Outcome => ({ ok: false, code: 'CONFLICT', message });
const invalid = (message: string): Outcome => ({ ok: false, code: 'VALIDATION', message });
const done = (state: AssignmentState, details: Details = {}): Outcome => ({ ok: true, state, details });

/** Swedish day as shown to the user: 2026-12-01 stays 2026-12-01 (ISO is the Swedish standard form). */
const day = (d: string) => d;

export const MESSAGES = {
  cancelled: 'Uppdraget är avbeställt och kan inte längre ändras.',
  ended: 'Uppdraget är avslutat och kan inte längre ändras.',
  cancellationPending: 'Uppdraget är avbeställt av handläggaren. Bekräfta avbeställningen.',
  alreadyConfirmed: 'Uppdraget är redan kvitterat.',
  confirmBeforeDistribute: 'Uppdraget måste kvitteras innan det kan fördelas.',
  confirmBeforeExecute: 'Uppdraget måste kvitteras innan det kan verkställas.',
  resumeBeforeExecute: 'Uppdraget är pausat. Återuppta det innan verkställighetsdatumet ändras.',
  executeBeforePause: 'Bara ett verkställt uppdrag kan pausas.',
  alreadyPaused: 'Uppdraget är redan pausat.',
  notPaused: 'Bara ett pausat uppdrag kan återupptas.',
  noCancellation: 'Det finns ingen avbeställning att bekräfta.',
  executeBeforeEnd: 'Bara ett verkställt uppdrag kan avslutas. Ett uppdrag som inte har verkställts avbeställs av handläggaren.',
  executeBeforeAbsence: 'Uppdraget måste vara verkställt innan frånvaro kan registreras.',
  executeBeforePresence: 'Uppdraget måste vara verkställt innan närvaro kan registreras.',
  executionInFuture: 'Verkställighetsdatumet kan inte vara senare än i dag.',
  sameExecutionDate: 'Uppdraget är redan verkställt med det datumet.',
  pauseInFuture: 'Ett avbrott kan inte börja senare än i dag.',
  resumeInFuture: 'Uppdraget kan inte återupptas senare än i dag.',
  periodReversed: 'Periodens slutdatum kan inte vara före startdatumet.',
  alreadyDistributed: 'Uppdraget är redan fördelat så.',
  officerCancelDone: 'Uppdraget är redan avbeställt.',
  officerEndNotExecuted: 'Ett uppdrag som inte har verkställts avbeställs i stället för att avslutas.',
  officerChangeCancelled: 'Ett avbeställt uppdrag kan inte ändras.',
  officerChangeEnded: 'Ett avslutat uppdrag kan inte ändras.',
  officerNothingChanged: 'Ändringen innehåller inget nytt.',
  noChangeToConfirm: 'Det finns ingen ändring från handläggaren att kvittera.',
  endBeforeStart: 'Slutdatumet kan inte vara före startdatumet.',
  endInFuture: 'Ett uppdrag kan inte avslutas i förväg: slutdatumet kan inte vara senare än i dag. Avsluta uppdraget den dagen det upphör.',
  officerEndInFuture:
    'Ett uppdrag kan inte avslutas i förväg: slutdatumet kan inte vara senare än i dag. Ändra uppdragets slutdatum i stället (change med nytt slutdatum) och avsluta det när dagen har kommit.',
} as const;

/** Why a kind of service takes no absence (or presence) registration. */
export function registrationNotForKind(kind: ServiceKind, registration: 'absence' | 'presence'): string {
  const what = registration === 'absence' ? 'Frånvaro registreras bara för särskilt boende' : 'Närvaro registreras bara för korttidsvistelse';
  return `${what}. Uppdraget gäller ${SERVICE_KIND_LABELS[kind].toLowerCase()}.`;
}

/** The refusal for an action the status does not allow at all (final statuses and a pending cancellation). */
function blockedByStatus(status: AssignmentStatus, action: ProviderAction['type']): Outcome | null {
  if (status === 'cancelled') return conflict(MESSAGES.cancelled);
  if (status === 'ended') return conflict(MESSAGES.ended);
  if (status === 'cancellation_requested' && action !== 'confirm_cancellation' && action !== 'report' && action !== 'confirm_change') {
    return conflict(MESSAGES.cancellationPending);
  }
  return null;
}

const overlaps = (a: { from: string; to: string }, b: { from: string; to: string }) => a.from <= b.to && b.from <= a.to;

/** The provider's action on the assignment as it is. */
export function applyProviderAction(state: AssignmentState, action: ProviderAction, ctx: TransitionContext): Outcome {
  const blocked = blockedByStatus(state.status, action.type);
  if (blocked) return blocked;
  const { status } = state;

  switch (action.type) {
    case 'confirm':
      if (status !== 'new') return conflict(MESSAGES.alreadyConfirmed);
      return done({ ...state, status: 'confirmed', confirmedAt: ctx.now.toISOString() });

    case 'distribute': {
      if (status === 'new') return conflict(MESSAGES.confirmBeforeDistribute);
      const staffIds = [...new Set(action.staffIds)];
      const previous = state.distributedTo;
      if (previous && previous.unitId === action.unitId && sameSet(previous.staffIds, staffIds)) return conflict(MESSAGES.alreadyDistributed);
      return done(
        { ...state, unitId: action.unitId, distributedTo: { unitId: action.unitId, staffIds } },
        { unitId: action.unitId, staffIds, previousUnitId: state.unitId },
      );
    }

    case 'execute': {
      if (status === 'new') return conflict(MESSAGES.confirmBeforeExecute);
      if (status === 'paused') return conflict(MESSAGES.resumeBeforeExecute);
      const date = action.executionDate;
      if (date < state.startDate) {
        return invalid(`Verkställighetsdatumet kan inte vara före beslutets startdatum (${day(state.startDate)}).`);
      }
      if (date > ctx.today) return invalid(MESSAGES.executionInFuture);
      if (state.endDate !== null && date > state.endDate) {
        return invalid(`Verkställighetsdatumet kan inte vara efter uppdragets slutdatum (${day(state.endDate)}).`);
      }
      if (date === state.executionDate) return conflict(MESSAGES.sameExecutionDate);
      const firstPause = state.pauses[0];
      if (firstPause && date > firstPause.from) {
        return invalid(`Verkställighetsdatumet kan inte vara efter det första avbrottets början (${day(firstPause.from)}).`);
      }
      return done({ ...state, status: 'executed', executionDate: date }, { executionDate: date, previousExecutionDate: state.executionDate });
    }

    case 'report':
      return done(state, { message: action.message });

    case 'pause': {
      if (status === 'paused') return conflict(MESSAGES.alreadyPaused);
      if (status !== 'executed') return conflict(MESSAGES.executeBeforePause);
      if (action.from < state.executionDate!) {
        return invalid(`Avbrottet kan inte börja före verkställighetsdatumet (${day(state.executionDate!)}).`);
      }
      const last = state.pauses.at(-1);
      if (last?.to && action.from < last.to) {
        return invalid(`Avbrottet kan inte börja före det förra avbrottets slut (${day(last.to)}).`);
      }
      if (action.from > ctx.today) return invalid(MESSAGES.pauseInFuture);
      return done(
        { ...state, status: 'paused', pauses: [...state.pauses, { from: action.from, to: null, reason: action.reason }] },
        { from: action.from, reason: action.reason },
      );
    }

    case 'resume': {
      if (status !== 'paused') return conflict(MESSAGES.notPaused);
      const open = state.pauses.at(-1)!;
      if (action.to < open.from) return invalid(`Uppdraget kan inte återupptas före avbrottets början (${day(open.from)}).`);
      if (action.to > ctx.today) return invalid(MESSAGES.resumeInFuture);
      return done(
        { ...state, status: 'executed', pauses: [...state.pauses.slice(0, -1), { ...open, to: action.to }] },
        { from: open.from, to: action.to },
      );
    }

    case 'confirm_cancellation': {
      if (status !== 'cancellation_requested' || !state.cancellation) return conflict(MESSAGES.noCancellation);
      return done(
        // Cancelled is final: a change not yet seen has nothing left to handle.
        { ...state, status: 'cancelled', cancellation: { ...state.cancellation, confirmedAt: ctx.now.toISOString() }, changePending: false },
        { reason: state.cancellation.reason },
      );
    }

    case 'confirm_change':
      if (!state.changePending) return conflict(MESSAGES.noChangeToConfirm);
      return done({ ...state, changePending: false });

    case 'end': {
      if (status !== 'executed' && status !== 'paused') return conflict(MESSAGES.executeBeforeEnd);
      if (action.endDate < state.executionDate!) {
        return invalid(`Slutdatumet kan inte vara före verkställighetsdatumet (${day(state.executionDate!)}).`);
      }
      if (action.endDate > ctx.today) return invalid(MESSAGES.endInFuture);
      const pauses = closeOpenPause(state.pauses, action.endDate);
      if (pauses === null) return invalid(`Slutdatumet kan inte vara före det pågående avbrottets början (${day(state.pauses.at(-1)!.from)}).`);
      return done(
        { ...state, status: 'ended', endDate: action.endDate, pauses, changePending: false },
        { endDate: action.endDate, previousEndDate: state.endDate, reason: action.reason },
      );
    }

    case 'register_absence':
    case 'register_presence': {
      const kind = action.type === 'register_absence' ? 'absence' : 'presence';
      if (REGISTRATION_OF_KIND[state.serviceKind] !== action.type) return conflict(registrationNotForKind(state.serviceKind, kind));
      if (status !== 'executed' && status !== 'paused') {
        return conflict(kind === 'absence' ? MESSAGES.executeBeforeAbsence : MESSAGES.executeBeforePresence);
      }
      if (action.to < action.from) return invalid(MESSAGES.periodReversed);
      if (action.from < state.executionDate!) {
        return invalid(`Perioden kan inte börja före verkställighetsdatumet (${day(state.executionDate!)}).`);
      }
      if (state.endDate !== null && action.to > state.endDate) {
        return invalid(`Perioden kan inte sluta efter uppdragets slutdatum (${day(state.endDate)}).`);
      }
      const clash = state.registrations.find((r) => r.kind === kind && overlaps(r, action));
      if (clash) {
        return invalid(
          `Perioden överlappar en redan registrerad ${kind === 'absence' ? 'frånvaro' : 'närvaro'} (${day(clash.from)}–${day(clash.to)}).`,
        );
      }
      const registration: Registration = { kind, from: action.from, to: action.to };
      return done({ ...state, registrations: [...state.registrations, registration] }, { from: action.from, to: action.to });
    }
  }
}

/** An open pause closed on `to`; null when `to` is before it began. */
function closeOpenPause(pauses: Pause[], to: string): Pause[] | null {
  const last = pauses.at(-1);
  if (!last || last.to !== null) return pauses;
  if (to < last.from) return null;
  return [...pauses.slice(0, -1), { ...last, to }];
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The case officer's change, cancellation or end of an assignment they sent. */
export function applyOfficerAction(state: AssignmentState, action: OfficerAction, ctx: TransitionContext): Outcome {
  const { status } = state;
  switch (action.type) {
    case 'change': {
      if (status === 'cancellation_requested' || status === 'cancelled') return conflict(MESSAGES.officerChangeCancelled);
      if (status === 'ended') return conflict(MESSAGES.officerChangeEnded);
      const next: AssignmentState = {
        ...state,
        ...(action.decision ? { decision: action.decision } : {}),
        ...(action.services ? { services: action.services } : {}),
        ...(action.startDate ? { startDate: action.startDate } : {}),
        ...(action.endDate !== undefined ? { endDate: action.endDate } : {}),
        ...(action.freeText !== undefined ? { freeText: action.freeText } : {}),
      };
      if (next.endDate !== null && next.endDate < next.startDate) return invalid(MESSAGES.endBeforeStart);
      if (state.executionDate !== null && next.startDate > state.executionDate) {
        return invalid(`Startdatumet kan inte flyttas till efter verkställighetsdatumet (${day(state.executionDate)}).`);
      }
      if (state.executionDate !== null && next.endDate !== null && next.endDate < state.executionDate) {
        return invalid(`Slutdatumet kan inte vara före verkställighetsdatumet (${day(state.executionDate)}). Avsluta uppdraget i stället.`);
      }
      const changed: Details = {};
      const previous: Details = {};
      for (const key of ['decision', 'services', 'startDate', 'endDate', 'freeText'] as const) {
        if (JSON.stringify(next[key]) !== JSON.stringify(state[key])) {
          changed[key] = next[key];
          previous[key] = state[key];
        }
      }
      if (Object.keys(changed).length === 0) return invalid(MESSAGES.officerNothingChanged);
      return done({ ...next, changePending: true }, { changed, previous });
    }

    case 'cancel': {
      if (status === 'cancellation_requested') return conflict(MESSAGES.officerCancelDone);
      if (status === 'cancelled') return conflict(MESSAGES.cancelled);
      if (status === 'ended') return conflict(MESSAGES.ended);
      return done(
        { ...state, status: 'cancellation_requested', cancellation: { requestedAt: ctx.now.toISOString(), reason: action.reason, confirmedAt: null } },
        { reason: action.reason, previousStatus: status },
      );
    }

    case 'end': {
      if (status === 'ended') return conflict(MESSAGES.ended);
      if (status === 'cancelled' || status === 'cancellation_requested') return conflict(MESSAGES.cancelled);
      if (status === 'new' || status === 'confirmed') return conflict(MESSAGES.officerEndNotExecuted);
      if (action.endDate < state.executionDate!) {
        return invalid(`Slutdatumet kan inte vara före verkställighetsdatumet (${day(state.executionDate!)}).`);
      }
      // An end is not scheduled (nothing would end it on the day): a later end date is a change.
      if (action.endDate > ctx.today) return invalid(MESSAGES.officerEndInFuture);
      const pauses = closeOpenPause(state.pauses, action.endDate);
      if (pauses === null) return invalid(`Slutdatumet kan inte vara före det pågående avbrottets början (${day(state.pauses.at(-1)!.from)}).`);
      return done(
        // Ended is final: a change not yet seen has nothing left to handle.
        { ...state, status: 'ended', endDate: action.endDate, pauses, changePending: false },
        { endDate: action.endDate, previousEndDate: state.endDate, ...(action.reason ? { reason: action.reason } : {}) },
      );
    }
  }
}

/** What a UI offers (contract/assignment-actions.ts, shared with the renderer); the state machine above decides. */
export { providerActionsAllowed } from '#contract';
