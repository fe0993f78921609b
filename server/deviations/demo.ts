import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/types';
import { appendStep, insertDeviation, swedishParts } from './store';

/**
 * Demo deviations (docs/deviations.md): in each unit, a late visit to the first executed
 * assignment's client reported by Sara (undersköterska) two days ago, received by Karin
 * (verksamhetsansvarig); and a fall reported today, not yet received. Added when none exists. Fictional.
 */
const SARA = 'SE2321000131-P000000000103';
const KARIN = 'SE2321000131-P000000000106';
const DAY_MS = 24 * 3600_000;

export async function insertDemoDeviations(tx: Queryable, now: Date): Promise<boolean> {
  if ((await tx.query('SELECT 1 FROM deviations LIMIT 1')).rows.length > 0) return false;
  const { rows: people } = await tx.query<{ id: string; hsa_id: string; name: string; title: string }>(
    "SELECT id, hsa_id, given_name || ' ' || family_name AS name, title FROM staff WHERE hsa_id = ANY($1::text[])",
    [[SARA, KARIN]],
  );
  const person = (hsa: string) => people.map((p) => ({ id: p.id, hsaId: p.hsa_id, name: p.name, title: p.title })).find((p) => p.hsaId === hsa);
  const sara = person(SARA);
  const karin = person(KARIN);
  if (!sara || !karin) return false;
  const { rows: assignments } = await tx.query<{ id: string; unit_id: string; client_id: string }>(
    `SELECT DISTINCT ON (a.unit_id) a.id, a.unit_id, a.client_id FROM assignments a WHERE a.status = 'executed' ORDER BY a.unit_id, a.client_id, a.id`,
  );
  for (const a of assignments) {
    const reportedAt = new Date(now.getTime() - 2 * DAY_MS);
    const late = {
      id: randomUUID(), unitId: a.unit_id, clientId: a.client_id, assignmentId: a.id,
      occurredAt: new Date(reportedAt.getTime() - 3 * 3600_000).toISOString(), place: 'Brukarens bostad', category: 'late_visit' as const,
      description: 'Morgonbesöket kom två timmar för sent på grund av sjukfrånvaro i gruppen.', consequence: 'Brukaren fick vänta på frukost och medicin.',
      immediateAction: 'Ringde brukaren och bad om ursäkt; besöket gjordes så snart som möjligt.', lexSarah: 'unsure' as const,
    };
    await insertDeviation(tx, late, sara, reportedAt, reportedAt.toISOString());
    await appendStep(tx, late.id, swedishParts(reportedAt).day, [], { id: randomUUID(), kind: 'received' }, karin, new Date(reportedAt.getTime() + 3600_000));
    const fall = {
      ...late, id: randomUUID(), assignmentId: null, occurredAt: new Date(now.getTime() - 2 * 3600_000).toISOString(), place: 'Badrummet', category: 'fall' as const,
      description: 'Brukaren halkade vid duschen och föll mot golvet.', consequence: 'Blåmärke på höften, ingen synlig skada i övrigt.',
      immediateAction: 'Hjälpte brukaren upp, kontaktade sjuksköterskan.', lexSarah: 'no' as const,
    };
    await insertDeviation(tx, fall, sara, now, now.toISOString());
  }
  return assignments.length > 0;
}
