import type {
  Assignment,
  AssignmentListQuery,
  AssignmentListResponse,
  AssignmentStatus,
  AssignmentSummary,
  HistoryAction,
  HistoryEvent,
  OfficerAction,
  ProviderAction,
  SendAssignment,
} from '../../contract/assignments';
import { AssignmentStatus as StatusEnum, STATUSES_NEEDING_ACTION } from '../../contract/assignments';
import type { StaffRole } from '../../contract/domain';
import { AppFailure } from '../../contract/result';
import { SqlAccessLog } from '../audit/access-log';
import { swedishDate, type StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { decodeCursor, encodeCursor, type CursorCast } from './cursor';
import { applyOfficerAction, applyProviderAction, type AssignmentState, type Details } from './state-machine';

/**
 * Assignments in SQL (server/migrations/0004_assignments.sql): lists with keyset paging, one
 * assignment with its history, and actions — each in one transaction that locks the row, runs the
 * state machine, writes the new state, appends the history event and the access-log `change`
 * event, all or nothing. `scope` is the unit ids the caller may see (provider staff: their units
 * with a permission today) or `'all'` (the case officer).
 */
export type Scope = ReadonlySet<string> | 'all';

export const NOT_FOUND_MESSAGE = 'Uppdraget finns inte, eller så har du inte behörighet till det.';

export interface ActContext {
  actor: StaffRecord;
  now: Date;
  workstation?: string;
}

const SELECT = `
  SELECT a.id, a.client_id, c.personnummer, c.given_name, c.family_name, a.unit_id, u.name AS unit_name,
         a.decision_reference, a.decision_date::text AS decision_date, a.services, a.start_date::text AS start_date,
         a.end_date::text AS end_date, a.free_text, a.status, a.confirmed_at, a.distributed_unit_id, a.distributed_staff_ids,
         a.execution_date::text AS execution_date, a.pauses, a.registrations, a.cancellation_requested_at, a.cancellation_reason,
         a.cancellation_confirmed_at, a.created_at, a.updated_at, a.version
    FROM assignments a
    JOIN clients c ON c.id = a.client_id
    JOIN units u ON u.id = a.unit_id`;

interface Row {
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
  start_date: string;
  end_date: string | null;
  free_text: string;
  status: AssignmentStatus;
  confirmed_at: Date | null;
  distributed_unit_id: string | null;
  distributed_staff_ids: string[] | string | null;
  execution_date: string | null;
  pauses: AssignmentSummary['pauses'];
  registrations: AssignmentSummary['registrations'];
  cancellation_requested_at: Date | null;
  cancellation_reason: string | null;
  cancellation_confirmed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const iso = (d: Date | string) => new Date(d).toISOString();
/** uuid[] arrives as an array (node-postgres, PGlite) or, from some paths, as its text form. */
const uuidArray = (v: string[] | string | null): string[] =>
  v === null ? [] : Array.isArray(v) ? v : v.replace(/^\{|\}$/g, '').split(',').filter(Boolean);

function toSummary(r: Row): AssignmentSummary {
  return {
    id: r.id,
    clientId: r.client_id,
    client: { id: r.client_id, personnummer: r.personnummer.trim(), givenName: r.given_name, familyName: r.family_name },
    unitId: r.unit_id,
    unitName: r.unit_name,
    decision: { reference: r.decision_reference, date: r.decision_date },
    services: r.services,
    startDate: r.start_date,
    endDate: r.end_date,
    freeText: r.free_text,
    status: r.status,
    needsAction: STATUSES_NEEDING_ACTION.includes(r.status),
    confirmedAt: r.confirmed_at ? iso(r.confirmed_at) : null,
    distributedTo: r.distributed_unit_id ? { unitId: r.distributed_unit_id, staffIds: uuidArray(r.distributed_staff_ids) } : null,
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

const toState = (s: AssignmentSummary): AssignmentState => ({
  status: s.status,
  unitId: s.unitId,
  decision: s.decision,
  services: s.services,
  startDate: s.startDate,
  endDate: s.endDate,
  freeText: s.freeText,
  confirmedAt: s.confirmedAt,
  distributedTo: s.distributedTo,
  executionDate: s.executionDate,
  pauses: s.pauses,
  registrations: s.registrations,
  cancellation: s.cancellation,
});

const inScope = (scope: Scope, unitId: string) => scope === 'all' || scope.has(unitId);

// ---------------------------------------------------------------------------------------------
// Lists

interface SortKey {
  expr: string;
  cast: CursorCast;
}
const SORTS: Record<AssignmentListQuery['sort'], { desc: boolean; keys: SortKey[] }> = {
  updated_desc: { desc: true, keys: [{ expr: 'a.updated_at', cast: 'timestamptz' }] },
  received_desc: { desc: true, keys: [{ expr: 'a.created_at', cast: 'timestamptz' }] },
  start_asc: { desc: false, keys: [{ expr: 'a.start_date', cast: 'date' }] },
  start_desc: { desc: true, keys: [{ expr: 'a.start_date', cast: 'date' }] },
  client_asc: { desc: false, keys: [{ expr: 'c.family_name', cast: 'text' }, { expr: 'c.given_name', cast: 'text' }] },
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

export async function listAssignments(db: Queryable, scope: Scope, query: AssignmentListQuery): Promise<AssignmentListResponse> {
  const counts = Object.fromEntries(StatusEnum.options.map((s) => [s, 0])) as Record<AssignmentStatus, number>;
  if (scope !== 'all' && scope.size === 0) return { items: [], nextCursor: null, counts };

  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (scope !== 'all') where.push(`a.unit_id = ANY(${p([...scope])}::uuid[])`);
  if (query.unitId) where.push(`a.unit_id = ${p(query.unitId)}::uuid`);
  if (query.from) where.push(`a.start_date >= ${p(query.from)}::date`);
  if (query.to) where.push(`a.start_date <= ${p(query.to)}::date`);
  if (query.client) {
    const digits = query.client.replace(/[\s-]/g, '');
    if (/^\d+$/.test(digits)) {
      where.push(`c.personnummer LIKE ${p(`%${digits}%`)}`);
    } else {
      const like = p(`%${likeEscape(query.client)}%`);
      where.push(`(c.given_name || ' ' || c.family_name ILIKE ${like} OR c.family_name || ' ' || c.given_name ILIKE ${like})`);
    }
  }
  const base = `FROM assignments a JOIN clients c ON c.id = a.client_id`;
  const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const { rows: countRows } = await db.query<{ status: AssignmentStatus; n: number }>(
    `SELECT a.status, count(*)::int AS n ${base} ${countWhere} GROUP BY a.status`,
    params,
  );
  for (const r of countRows) counts[r.status] = r.n;

  if (query.status) where.push(`a.status = ANY(${p(query.status)}::text[])`);
  const sort = SORTS[query.sort];
  const dir = sort.desc ? 'DESC' : 'ASC';
  if (query.cursor) {
    const values = decodeCursor(query.cursor, query.sort, sort.keys.map((k) => k.cast));
    const left = [...sort.keys.map((k) => k.expr), 'a.id'].join(', ');
    const right = [...sort.keys.map((k, i) => `${p(values[i])}::${k.cast}`), `${p(values.at(-1))}::uuid`].join(', ');
    where.push(`(${left}) ${sort.desc ? '<' : '>'} (${right})`);
  }
  const orderBy = [...sort.keys.map((k) => `${k.expr} ${dir}`), `a.id ${dir}`].join(', ');
  const keyCols = sort.keys.map((k, i) => `, (${k.expr})::text AS sort_key_${i}`).join('');
  const { rows } = await db.query<Row & Record<string, string>>(
    `${SELECT.replace('SELECT a.id,', `SELECT a.id${keyCols},`)} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${orderBy} LIMIT ${p(query.limit + 1)}`,
    params,
  );
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  const nextCursor =
    more && last ? encodeCursor(query.sort, [...sort.keys.map((_k, i) => String(last[`sort_key_${i}`])), last.id]) : null;
  return { items: page.map(toSummary), nextCursor, counts };
}

// ---------------------------------------------------------------------------------------------
// One assignment

async function loadSummary(db: Queryable, id: string): Promise<AssignmentSummary | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE a.id = $1`, [id]);
  return rows[0] ? toSummary(rows[0]) : null;
}

interface EventRow {
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

const EVENT_COLUMNS = 'id, assignment_id, at, action, actor_staff_id, actor_hsa_id, actor_name, actor_title, actor_role, details';

const toHistoryEvent = (r: EventRow): HistoryEvent => ({
  id: r.id,
  at: iso(r.at),
  action: r.action,
  actor: { staffId: r.actor_staff_id, hsaId: r.actor_hsa_id, name: r.actor_name, title: r.actor_title, role: r.actor_role },
  details: r.details,
});

async function loadHistory(db: Queryable, id: string): Promise<HistoryEvent[]> {
  const { rows } = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM assignment_events WHERE assignment_id = $1 ORDER BY version`, [id]);
  return rows.map(toHistoryEvent);
}

/** The assignment with its history, or null when it does not exist or is out of scope (alike). */
export async function getAssignment(db: Queryable, id: string, scope: Scope): Promise<Assignment | null> {
  if (!isUuid(id)) return null;
  const summary = await loadSummary(db, id);
  if (!summary || !inScope(scope, summary.unitId)) return null;
  return { ...summary, history: await loadHistory(db, id) };
}

/**
 * Assignments as the sync pull hands them out (server/sync/pull.ts): each as it is now, with its
 * history, in one query for the rows and one for the events.
 */
export async function loadAssignmentsForSync(db: Queryable, ids: readonly string[]): Promise<Assignment[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<Row>(`${SELECT} WHERE a.id = ANY($1::uuid[])`, [ids]);
  const { rows: events } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM assignment_events WHERE assignment_id = ANY($1::uuid[]) ORDER BY assignment_id, version`,
    [ids],
  );
  const history = new Map<string, HistoryEvent[]>();
  for (const r of events) {
    const list = history.get(r.assignment_id) ?? [];
    list.push(toHistoryEvent(r));
    history.set(r.assignment_id, list);
  }
  return rows.map((r) => ({ ...toSummary(r), history: history.get(r.id) ?? [] }));
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Reading one assignment: the read event in the access log, then the assignment. */
export async function readAssignment(db: Queryable, id: string, scope: Scope, ctx: ActContext): Promise<Assignment> {
  const assignment = await getAssignment(db, id, scope);
  if (!assignment) throw new AppFailure('NOT_FOUND', NOT_FOUND_MESSAGE);
  await new SqlAccessLog(db).record({
    action: 'read',
    outcome: 'success',
    actorStaffId: ctx.actor.id,
    actorHsaId: ctx.actor.hsaId,
    clientId: assignment.clientId,
    recordType: 'assignment',
    recordId: assignment.id,
    ...(ctx.workstation ? { workstation: ctx.workstation } : {}),
    at: ctx.now,
  });
  return assignment;
}

// ---------------------------------------------------------------------------------------------
// Writes

async function appendEvent(
  tx: Queryable,
  e: { assignmentId: string; version: number; action: HistoryAction; actor: StaffRecord; details: Details; at: Date; requestId?: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO assignment_events (assignment_id, version, at, action, actor_staff_id, actor_hsa_id, actor_name, actor_title, actor_role, details, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)`,
    [
      e.assignmentId,
      e.version,
      e.at,
      e.action,
      e.actor.id,
      e.actor.hsaId,
      `${e.actor.givenName} ${e.actor.familyName}`,
      e.actor.title,
      e.actor.role,
      JSON.stringify(e.details),
      e.requestId ?? null,
    ],
  );
}

async function logChange(tx: Queryable, ctx: ActContext, clientId: string, assignmentId: string): Promise<void> {
  await new SqlAccessLog(tx).record({
    action: 'change',
    outcome: 'success',
    actorStaffId: ctx.actor.id,
    actorHsaId: ctx.actor.hsaId,
    clientId,
    recordType: 'assignment',
    recordId: assignmentId,
    ...(ctx.workstation ? { workstation: ctx.workstation } : {}),
    at: ctx.now,
  });
}

async function writeState(tx: Queryable, id: string, s: AssignmentState, at: Date): Promise<number> {
  const { rows } = await tx.query<{ version: number }>(
    `UPDATE assignments SET
        status = $2, unit_id = $3, decision_reference = $4, decision_date = $5, services = $6::jsonb, start_date = $7, end_date = $8,
        free_text = $9, confirmed_at = $10, distributed_unit_id = $11, distributed_staff_ids = $12::uuid[], execution_date = $13,
        pauses = $14::jsonb, registrations = $15::jsonb, cancellation_requested_at = $16, cancellation_reason = $17,
        cancellation_confirmed_at = $18, updated_at = $19, version = version + 1
      WHERE id = $1 RETURNING version`,
    [
      id,
      s.status,
      s.unitId,
      s.decision.reference,
      s.decision.date,
      JSON.stringify(s.services),
      s.startDate,
      s.endDate,
      s.freeText,
      s.confirmedAt,
      s.distributedTo?.unitId ?? null,
      s.distributedTo?.staffIds ?? [],
      s.executionDate,
      JSON.stringify(s.pauses),
      JSON.stringify(s.registrations),
      s.cancellation?.requestedAt ?? null,
      s.cancellation?.reason ?? null,
      s.cancellation?.confirmedAt ?? null,
      at,
    ],
  );
  return rows[0]!.version;
}

/** Extra checks of a provider action that need the database (the target unit and staff of a distribution). */
export type ActionCheck = (tx: Queryable, action: ProviderAction) => Promise<void>;

/**
 * Applies one action in one transaction. Out of scope or missing: NOT_FOUND (alike, existence is
 * not revealed). Refused by the state machine: CONFLICT or VALIDATION with the Swedish message.
 * A requestId seen before on this assignment answers the assignment as it is, without applying again.
 */
export async function actOnAssignment(
  db: Db,
  id: string,
  scope: Scope,
  action: { kind: 'provider'; action: ProviderAction; check?: ActionCheck } | { kind: 'officer'; action: OfficerAction },
  ctx: ActContext,
): Promise<Assignment> {
  if (!isUuid(id)) throw new AppFailure('NOT_FOUND', NOT_FOUND_MESSAGE);
  await db.transaction(async (tx) => {
    const { rows: locked } = await tx.query<{ unit_id: string }>('SELECT unit_id FROM assignments WHERE id = $1 FOR UPDATE', [id]);
    if (!locked[0] || !inScope(scope, locked[0].unit_id)) throw new AppFailure('NOT_FOUND', NOT_FOUND_MESSAGE);
    const requestId = action.kind === 'provider' ? action.action.requestId : undefined;
    if (requestId) {
      const { rows: seen } = await tx.query<{ assignment_id: string }>('SELECT assignment_id FROM assignment_events WHERE request_id = $1', [requestId]);
      if (seen[0]) {
        if (seen[0].assignment_id !== id) throw new AppFailure('CONFLICT', 'Begärans id används redan för ett annat uppdrag.');
        return;
      }
    }
    const current = (await loadSummary(tx, id))!;
    const tctx = { today: swedishDate(ctx.now), now: ctx.now };
    const outcome =
      action.kind === 'provider' ? applyProviderAction(toState(current), action.action, tctx) : applyOfficerAction(toState(current), action.action, tctx);
    if (!outcome.ok) throw new AppFailure(outcome.code, outcome.message);
    if (action.kind === 'provider' && action.check) await action.check(tx, action.action);
    const version = await writeState(tx, id, outcome.state, ctx.now);
    await appendEvent(tx, {
      assignmentId: id,
      version,
      action: action.action.type,
      actor: ctx.actor,
      details: outcome.details,
      at: ctx.now,
      ...(requestId ? { requestId } : {}),
    });
    await logChange(tx, ctx, current.clientId, id);
  });
  return (await getAssignment(db, id, 'all'))!;
}

/** The case officer sends a new assignment for a client (by personnummer or id). */
export async function sendAssignment(db: Db, input: SendAssignment, ctx: ActContext): Promise<Assignment> {
  const today = swedishDate(ctx.now);
  if (input.decision.date > today) throw new AppFailure('VALIDATION', 'Beslutsdatumet kan inte vara senare än i dag.');
  if (input.endDate && input.endDate < input.startDate) throw new AppFailure('VALIDATION', 'Slutdatumet kan inte vara före startdatumet.');
  const id = await db.transaction(async (tx) => {
    const { rows: clients } = await tx.query<{ id: string; unit_id: string }>(
      'personnummer' in input.client ? 'SELECT id, unit_id FROM clients WHERE personnummer = $1' : 'SELECT id, unit_id FROM clients WHERE id = $1',
      ['personnummer' in input.client ? input.client.personnummer : input.client.clientId],
    );
    const client = clients[0];
    if (!client) throw new AppFailure('NOT_FOUND', 'Det finns ingen brukare med det personnumret (eller id:t) hos utföraren.');
    let unitId = client.unit_id;
    if (input.unitId) {
      const { rows: units } = await tx.query<{ id: string }>(
        `SELECT u.id FROM units u JOIN units cu ON cu.organisation_id = u.organisation_id WHERE u.id = $1 AND cu.id = $2`,
        [input.unitId, client.unit_id],
      );
      if (!units[0]) throw new AppFailure('VALIDATION', 'Enheten finns inte hos brukarens utförare.');
      unitId = input.unitId;
    }
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO assignments (client_id, unit_id, decision_reference, decision_date, services, start_date, end_date, free_text,
                                sent_by_staff_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $10) RETURNING id`,
      [
        client.id,
        unitId,
        input.decision.reference,
        input.decision.date,
        JSON.stringify(input.services),
        input.startDate,
        input.endDate ?? null,
        input.freeText,
        ctx.actor.id,
        ctx.now,
      ],
    );
    const newId = rows[0]!.id;
    await appendEvent(tx, {
      assignmentId: newId,
      version: 1,
      action: 'send',
      actor: ctx.actor,
      details: { decisionReference: input.decision.reference, startDate: input.startDate, services: input.services.length },
      at: ctx.now,
    });
    await logChange(tx, ctx, client.id, newId);
    return newId;
  });
  return (await getAssignment(db, id, 'all'))!;
}
