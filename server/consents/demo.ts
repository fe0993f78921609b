import { randomUUID } from 'node:crypto';
import { swedishDate } from '#contract';
import type { Queryable } from '../db/types';

/**
 * Demo consents (docs/consents.md): for the first client of each unit (by name), recorded by Sara
 * (undersköterska): information to a relative, given orally two weeks ago; and cooperation with
 * health care, given in writing a month ago and withdrawn last week. Added when none exists. Fictional.
 */
const SARA = 'SE2321000131-P000000000103';
const DAY_MS = 24 * 3600_000;

export async function insertDemoConsents(tx: Queryable, now: Date): Promise<boolean> {
  if ((await tx.query('SELECT 1 FROM consents LIMIT 1')).rows.length > 0) return false;
  const { rows: people } = await tx.query<{ id: string; hsa_id: string; name: string; title: string }>(
    "SELECT id, hsa_id, given_name || ' ' || family_name AS name, title FROM staff WHERE hsa_id = $1",
    [SARA],
  );
  const sara = people[0];
  if (!sara) return false;
  const { rows: clients } = await tx.query<{ id: string; unit_id: string }>(
    'SELECT DISTINCT ON (unit_id) id, unit_id FROM clients ORDER BY unit_id, family_name, given_name, id',
  );
  const day = (daysAgo: number) => swedishDate(now, -daysAgo);
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY_MS);
  for (const c of clients) {
    const insert = `INSERT INTO consents (id, unit_id, client_id, topic, other_text, answer, form, given_on, note,
                      author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
                    VALUES ($1, $2, $3, $4, NULL, 'given', $5, $6, $7, $8, $9, $10, $11, $12, $12)`;
    const who = [sara.id, sara.hsa_id, sara.name, sara.title];
    await tx.query(insert, [randomUUID(), c.unit_id, c.id, 'relatives_information', 'oral', day(14), 'Gäller dottern.', ...who, at(14)]);
    const withdrawn = randomUUID();
    await tx.query(insert, [withdrawn, c.unit_id, c.id, 'health_care', 'written', day(30), null, ...who, at(30)]);
    await tx.query(
      `UPDATE consents SET withdrawn_on = $2, withdrawn_reason = $3, withdrawn_at = $4, withdrawn_by_staff_id = $5,
              withdrawn_by_hsa_id = $6, withdrawn_by_name = $7, withdrawn_by_title = $8 WHERE id = $1`,
      [withdrawn, day(7), 'Brukaren vill själv sköta kontakten med vårdcentralen.', at(7), ...who],
    );
  }
  return clients.length > 0;
}
