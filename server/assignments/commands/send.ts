import type { Assignment, SendAssignment, ServiceKind } from '#contract';
import { SERVICE_KIND_LABELS } from '#contract';
import { swedishDate } from '#contract';
import { AppFailure } from '#contract';
import type { Db } from '../../db/types';
import { createOnce } from '../../http/create-once';
import { recordAssignmentAccess } from '../access';
import { getAssignment } from '../queries/get';
import type { ActContext } from '../scope';
import { textArray } from '../sql-rows';
import { appendEvent } from './history';

/** The case officer sends a new assignment for a client (by personnummer or id). */
export async function sendAssignment(db: Db, input: SendAssignment, ctx: ActContext): Promise<Assignment> {
  const today = swedishDate(ctx.now);
  if (input.decision.date > today) throw new AppFailure('VALIDATION', 'Beslutsdatumet kan inte vara senare än i dag.');
  if (input.endDate && input.endDate < input.startDate) throw new AppFailure('VALIDATION', 'Slutdatumet kan inte vara före startdatumet.');
  // The officer's client-made id: the same send again answers the assignment sent the first time.
  const { recordId: id } = await createOnce(db, { key: input.requestId, staffId: ctx.actor.id, route: 'officer.send' }, (db) => db.transaction(async (tx) => {
    const { rows: clients } = await tx.query<{ id: string; unit_id: string }>(
      'personnummer' in input.client ? 'SELECT id, unit_id FROM clients WHERE personnummer = $1' : 'SELECT id, unit_id FROM clients WHERE id = $1',
      ['personnummer' in input.client ? input.client.personnummer : input.client.clientId],
    );
    const client = clients[0];
    if (!client) throw new AppFailure('NOT_FOUND', 'Det finns ingen brukare med det personnumret (eller id:t) hos utföraren.');
    const { rows: units } = await tx.query<{ id: string; name: string; service_type: ServiceKind; service_kinds: ServiceKind[] | string }>(
      `SELECT u.id, u.name, u.service_type, u.service_kinds FROM units u JOIN units cu ON cu.organisation_id = u.organisation_id WHERE u.id = $1 AND cu.id = $2`,
      [input.unitId ?? client.unit_id, client.unit_id],
    );
    const unit = units[0];
    if (!unit) throw new AppFailure('VALIDATION', 'Enheten finns inte hos brukarens utförare.');
    const unitId = unit.id;
    // The kind of service: the one asked for, which the unit must provide; else the unit's main kind.
    const serviceKind = input.serviceKind ?? unit.service_type;
    if (!textArray(unit.service_kinds).includes(serviceKind)) {
      throw new AppFailure('VALIDATION', `Enheten ${unit.name} utför inte ${SERVICE_KIND_LABELS[serviceKind].toLowerCase()}. Välj en enhet som gör det.`);
    }
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO assignments (client_id, unit_id, decision_reference, decision_date, services, start_date, end_date, free_text,
                                sent_by_staff_id, created_at, updated_at, service_kind)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $10, $11) RETURNING id`,
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
        serviceKind,
      ],
    );
    const newId = rows[0]!.id;
    await appendEvent(tx, {
      assignmentId: newId,
      version: 1,
      action: 'send',
      actor: ctx.actor,
      details: { decisionReference: input.decision.reference, startDate: input.startDate, services: input.services.length, serviceKind },
      at: ctx.now,
    });
    await recordAssignmentAccess(tx, 'change', ctx, client.id, newId);
    return newId;
  }));
  return (await getAssignment(db, id, 'all'))!;
}
