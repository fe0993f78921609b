import {
  STATUSES_NEEDING_ACTION,
  type AssignmentStatus,
  type AssignmentSummary,
  type HistoryAction,
  type HistoryEvent,
  type ServiceKind,
} from '#contract';
import type { StaffRole } from '#contract';
import type { AssignmentState, Details } from './state-machine';

/**
 * How an assignment and its history events are stored (server/migrations/0004_assignments.sql)
 * and read back into the contract's shapes: the one SELECT every query starts from, its row, and
 * the mappings both ways.
 */
export const SELECT = `
  SELECT a.id, a.client_id, c.personnummer, c.given_name, c.family_name, a.unit_id, u.name AS unit_name,
         a.decision_reference, a.decision_date::text AS decision_date, a.services, a.service_kind, a.start_date::text AS start_date,
         a.end_date::text AS end_date, a.free_text, a.status, a.confirmed_at, a.distributed_unit_id, a.distributed_staff_ids,
         du.name AS distributed_unit_name,
         (SELECT coalesce(json_agg(json_build_object('staffId', s.id, 'name', s.given_name || ' ' || s.family_name, 'title', s.title)
                                   ORDER BY s.family_name, s.given_name, s.id), '[]'::json)
            FROM staff s WHERE s.id = ANY (a.distributed_staff_ids)) AS distributed_staff,
         a.execution_date::text AS execution_date, a.pauses, a.registrations, a.cancellation_requested_at, a.cancellation_reason,
         a.cancellation_confirmed_at, a.change_pending, a.created_at, a.updated_at, a.version
    FROM assignments a
    JOIN clients c ON c.id = a.client_id
    JOIN units u ON u.id = a.unit_id
    LEFT JOIN units du ON du.id = a.distributed_unit_id`;

type DistributedStaffRow = { staffId: string; name: string; title: string };

export interface Row {
  id: string;
  client_id: string;
  personnummer: string;
  given_name: string;
  family_name: string;
  unit_id: string;
  unit_name: string;
  decision_reference: string;
  decision_date: string;
  services: AssignmentSummary['services'];
  service_kind: ServiceKind;
  start_date: string;
  end_date: string | null;
  free_text: string;
  status: AssignmentStatus;
  confirmed_at: Date | null;
  distributed_unit_id: string | null;
  distributed_staff_ids: string[] | string | null;
  distributed_unit_name: string | null;
  distributed_staff: DistributedStaffRow[] | string;
  execution_date: string | null;
  pauses: AssignmentSummary['pauses'];
  registrations: AssignmentSummary['registrations'];
  cancellation_requested_at: Date | null;
  cancellation_reason: string | null;
  cancellation_confirmed_at: Date | null;
  change_pending: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const iso = (d: Date | string) => new Date(d).toISOString();
/** uuid[] and text[] arrive as an array (node-postgres, PGlite) or, from some paths, as their text form. */
export const textArray = <T extends string>(v: T[] | string | null): T[] =>
  v === null ? [] : Array.isArray(v) ? v : (v.replace(/^\{|\}$/g, '').split(',').filter(Boolean) as T[]);

export function toSummary(r: Row): AssignmentSummary {
  return {
    id: r.id,
    clientId: r.client_id,
    client: { id: r.client_id, personnummer: r.personnummer.trim(), givenName: r.given_name, familyName: r.family_name },
    unitId: r.unit_id,
    unitName: r.unit_name,
    decision: { reference: r.decision_reference, date: r.decision_date },
    services: r.services,
    serviceKind: r.service_kind,
    startDate: r.start_date,
    endDate: r.end_date,
    freeText: r.free_text,
    status: r.status,
    needsAction: STATUSES_NEEDING_ACTION.includes(r.status) || r.change_pending,
    changePending: r.change_pending,
    confirmedAt: r.confirmed_at ? iso(r.confirmed_at) : null,
    distributedTo: r.distributed_unit_id
      ? {
          unitId: r.distributed_unit_id,
          staffIds: textArray(r.distributed_staff_ids),
          unitName: r.distributed_unit_name ?? '',
          // json arrives parsed (node-postgres, PGlite) or as text from some paths, like the uuid[].
          staff: typeof r.distributed_staff === 'string' ? (JSON.parse(r.distributed_staff) as DistributedStaffRow[]) : r.distributed_staff,
        }
      : null,
    executionDate: r.execution_date,
    pauses: r.pauses,
    registrations: r.registrations,
    cancellation:
      r.cancellation_requested_at && r.cancellation_reason !== null
        ? {
            requestedAt: iso(r.cancellation_requested_at),
            reason: r.cancellation_reason,
            confirmedAt: r.cancellation_confirmed_at ? iso(r.cancellation_confirmed_at) : null,
          }
        : null,
    receivedAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    version: r.version,
  };
}

export const toState = (s: AssignmentSummary): AssignmentState => ({
  status: s.status,
  unitId: s.unitId,
  decision: s.decision,
  services: s.services,
  serviceKind: s.serviceKind,
  startDate: s.startDate,
  endDate: s.endDate,
  freeText: s.freeText,
  confirmedAt: s.confirmedAt,
  distributedTo: s.distributedTo && { unitId: s.distributedTo.unitId, staffIds: s.distributedTo.staffIds },
  executionDate: s.executionDate,
  pauses: s.pauses,
  registrations: s.registrations,
  cancellation: s.cancellation,
  changePending: s.changePending,
});

export interface EventRow {
  id: string;
  assignment_id: string;
  at: Date;
  action: HistoryAction;
  actor_staff_id: string;
  actor_hsa_id: string;
  actor_name: string;
  actor_title: string;
  actor_role: StaffRole;
  details: Details;
}

export const EVENT_COLUMNS = 'id, assignment_id, at, action, actor_staff_id, actor_hsa_id, actor_name, actor_title, actor_role, details';

export const toHistoryEvent = (r: EventRow): HistoryEvent => ({
  id: r.id,
  at: iso(r.at),
  action: r.action,
  actor: { staffId: r.actor_staff_id, hsaId: r.actor_hsa_id, name: r.actor_name, title: r.actor_title, role: r.actor_role },
  details: r.details,
});


/** The columns an assignment's state is stored in, each with the cast its parameter needs. */
const STATE_COLUMNS: readonly { name: string; cast?: string; value: (s: AssignmentState) => unknown }[] = [
  { name: 'status', value: (s) => s.status },
  { name: 'unit_id', value: (s) => s.unitId },
  { name: 'decision_reference', value: (s) => s.decision.reference },
  { name: 'decision_date', value: (s) => s.decision.date },
  { name: 'services', cast: '::jsonb', value: (s) => JSON.stringify(s.services) },
  { name: 'service_kind', value: (s) => s.serviceKind },
  { name: 'start_date', value: (s) => s.startDate },
  { name: 'end_date', value: (s) => s.endDate },
  { name: 'free_text', value: (s) => s.freeText },
  { name: 'confirmed_at', value: (s) => s.confirmedAt },
  { name: 'distributed_unit_id', value: (s) => s.distributedTo?.unitId ?? null },
  { name: 'distributed_staff_ids', cast: '::uuid[]', value: (s) => s.distributedTo?.staffIds ?? [] },
  { name: 'execution_date', value: (s) => s.executionDate },
  { name: 'pauses', cast: '::jsonb', value: (s) => JSON.stringify(s.pauses) },
  { name: 'registrations', cast: '::jsonb', value: (s) => JSON.stringify(s.registrations) },
  { name: 'cancellation_requested_at', value: (s) => s.cancellation?.requestedAt ?? null },
  { name: 'cancellation_reason', value: (s) => s.cancellation?.reason ?? null },
  { name: 'cancellation_confirmed_at', value: (s) => s.cancellation?.confirmedAt ?? null },
  { name: 'change_pending', value: (s) => s.changePending },
];

/**
 * An assignment's state as SQL pieces: its column names, their placeholders numbered from
 * `firstParam` (with casts), and the parameter values in the same order.
 */
export function stateColumns(s: AssignmentState, firstParam: number): { names: string[]; placeholders: string[]; values: unknown[] } {
  return {
    names: STATE_COLUMNS.map((c) => c.name),
    placeholders: STATE_COLUMNS.map((c, i) => `$${firstParam + i}${c.cast ?? ''}`),
    values: STATE_COLUMNS.map((c) => c.value(s)),
  };
}
