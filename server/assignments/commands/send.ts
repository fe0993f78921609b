import type { Assignment, SendAssignment } from '#contract';
import { swedishDate } from '#contract';
import { AppFailure } from '#contract';
import type { Db } from '../../db/types';
import { recordAssignmentAccess } from '../access';
import { getAssignment } from '../queries/get';
import type { ActContext } from '../scope';
import { appendEvent } from './history';

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
    await recordAssignmentAccess(tx, 'change', ctx, client.id, newId);
    return newId;
  });
  return (await getAssignment(db, id, 'all'))!;
}
