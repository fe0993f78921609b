import { randomUUID } from 'node:crypto';
import { STATUSES_NEEDING_ACTION } from '#contract';
import type { Assignment, AssignmentStatus } from '#contract';
import type { Change, PermittedUnit } from '#contract';

const GIVEN = ['Anna', 'Björn', 'Cecilia', 'David', 'Eva', 'Fredrik', 'Greta', 'Håkan', 'Ingrid', 'Jan', 'Karin', 'Lars', 'Maja', 'Nils', 'Olof', 'Åsa'];
const FAMILY = ['Andersson', 'Berg', 'Carlsson', 'Dahl', 'Ek', 'Forsberg', 'Gustafsson', 'Holm', 'Isaksson', 'Johansson', 'Karlsson', 'Lind', 'Öberg', 'Ängström'];
const STATUSES: AssignmentStatus[] = ['new', 'confirmed', 'executed', 'paused', 'cancellation_requested', 'cancelled', 'ended'];
const DAY = 86_400_000;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A deterministic, coherent assignment (the i-th) of `unit`, for store tests and the inbox benchmark. */
export function fakeAssignment(unit: PermittedUnit, i: number, over: Partial<Assignment> = {}): Assignment {
  const status = over.status ?? STATUSES[i % STATUSES.length]!;
  const base = Date.UTC(2025, 0, 1) + (i % 600) * DAY;
  const received = new Date(base + (i % 86_400) * 1000).toISOString();
  const clientId = randomUUID();
  const pnr = `19${String(30 + (i % 60)).padStart(2, '0')}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}${String(i % 10_000).padStart(4, '0')}`;
  const executed = ['executed', 'paused', 'ended'].includes(status);
  const actor = { staffId: randomUUID(), hsaId: 'SE2120001355-P000000000201', name: 'Maria Ek', title: 'Biståndshandläggare', role: 'case_officer' as const };
  return {
    id: randomUUID(),
    clientId,
    client: { id: clientId, personnummer: pnr, givenName: GIVEN[i % GIVEN.length]!, familyName: FAMILY[(i * 5 + Math.floor(i / 16)) % FAMILY.length]! },
    unitId: unit.unitId,
    unitName: unit.name,
    decision: { reference: `BIS-${2025}-${i}`, date: date(base - 5 * DAY) },
    services: [{ name: 'Hemtjänst – personlig omvårdnad', grantedHours: 10 + (i % 30), per: 'month' }],
    serviceKind: 'hemtjanst',
    startDate: date(base),
    endDate: status === 'ended' ? date(base + 60 * DAY) : null,
    freeText: 'Hjälp med morgonrutiner.',
    status,
    needsAction: STATUSES_NEEDING_ACTION.includes(status),
    changePending: false,
    confirmedAt: status === 'new' ? null : received,
    distributedTo: null,
    executionDate: executed ? date(base) : null,
    pauses: status === 'paused' ? [{ from: date(base + DAY), to: null, reason: 'Sjukhusvistelse' }] : [],
    registrations: [],
    cancellation: status === 'cancellation_requested' || status === 'cancelled' ? { requestedAt: received, reason: 'Brukaren har flyttat', confirmedAt: status === 'cancelled' ? received : null } : null,
    receivedAt: received,
    updatedAt: new Date(base + (i % 86_400) * 1000 + 3_600_000).toISOString(),
    version: 1,
    history: [{ id: randomUUID(), at: received, actor, action: 'send', details: {} }],
    ...over,
  };
}

let seq = 1_000_000;
export const assignmentUpsert = (a: Assignment): Change => ({ seq: ++seq, op: 'upsert', type: 'assignment', id: a.id, unitId: a.unitId, record: a });
