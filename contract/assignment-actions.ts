import { REGISTRATION_OF_KIND, type AssignmentStatus, type AssignmentSummary, type ProviderActionType, type ServiceKind } from './assignments';

/**
 * What a UI offers on an assignment, shared by the server's state machine (which still decides
 * every action: server/assignments/state-machine.ts) and the renderer's detail: the actions a
 * status allows, absence and presence only for the kind of service that takes them, and the next
 * expected step, shown as the primary button. docs/assignments.md, "Guard rails".
 */

function statusActions(status: AssignmentStatus): ProviderActionType[] {
  switch (status) {
    case 'new':
      return ['confirm', 'report'];
    case 'confirmed':
      return ['distribute', 'execute', 'report'];
    case 'executed':
      return ['distribute', 'execute', 'report', 'pause', 'end', 'register_absence', 'register_presence'];
    case 'paused':
      return ['distribute', 'report', 'resume', 'end', 'register_absence', 'register_presence'];
    case 'cancellation_requested':
      return ['confirm_cancellation', 'report'];
    case 'cancelled':
    case 'ended':
      return [];
  }
}

/**
 * What the provider may try in a status, for an assignment of `kind` (without a kind: both
 * registrations, as the status alone allows); the dates are still checked when it is tried.
 */
export function providerActionsAllowed(status: AssignmentStatus, kind?: ServiceKind): ProviderActionType[] {
  const registrations: (ProviderActionType | undefined)[] = kind === undefined ? ['register_absence', 'register_presence'] : [REGISTRATION_OF_KIND[kind]];
  return statusActions(status).filter((a) => (a !== 'register_absence' && a !== 'register_presence') || registrations.includes(a));
}

export interface OfferedActions {
  /** In the order a screen shows them, the primary one first. */
  actions: ProviderActionType[];
  /** The next expected step (kvittera → fördela → verkställ; återuppta; bekräfta avbeställning), or null when none is due. */
  primary: ProviderActionType | null;
  /** Not executed yet and the decision starts after today: Verkställ is offered from this day. */
  executableFrom: string | null;
}

type Offerable = Pick<AssignmentSummary, 'status' | 'serviceKind' | 'startDate' | 'distributedTo' | 'executionDate'>;

/** What the detail offers on `a` today (YYYY-MM-DD, Swedish calendar day). */
export function offeredActions(a: Offerable, today: string): OfferedActions {
  // Before the decision's start date no execution date is valid (not before the start, not after today).
  const notYet = a.startDate > today;
  const actions = providerActionsAllowed(a.status, a.serviceKind).filter((x) => !(x === 'execute' && notYet));
  const primary: ProviderActionType | null =
    a.status === 'new'
      ? 'confirm'
      : a.status === 'confirmed'
        ? a.distributedTo === null
          ? 'distribute'
          : notYet
            ? null
            : 'execute'
        : a.status === 'paused'
          ? 'resume'
          : a.status === 'cancellation_requested'
            ? 'confirm_cancellation'
            : null;
  return {
    actions: primary ? [primary, ...actions.filter((x) => x !== primary)] : actions,
    primary,
    executableFrom: notYet && a.executionDate === null && (a.status === 'confirmed' || a.status === 'executed') ? a.startDate : null,
  };
}

/** The execution date a form proposes: today, or the decision's start date when that is later. */
export const defaultExecutionDate = (startDate: string, today: string): string => (startDate > today ? startDate : today);
