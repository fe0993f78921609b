import { randomUUID } from 'node:crypto';
import { swedishDate, type PlanContent } from '#contract';
import type { Queryable } from '../db/types';

/**
 * Demo implementation plans (docs/plans.md): for the first executed assignment's client of each
 * unit, a plan set about eleven months ago (its yearly revision is due within the month), with
 * the client's written consent for the first one. Added when no plan exists. Fictional.
 */
const SARA = 'SE2321000131-P000000000103';
const DAY_MS = 24 * 3600_000;

const content = (): PlanContent => ({
  assignmentIds: [],
  clientGoals: 'Jag vill fortsätta bo hemma och klara morgonen själv.',
  areas: [
    { lifeArea: 'self_care', needs: 'Behöver stöd vid dusch två gånger i veckan.', goals: [{ id: randomUUID(), text: 'Duscha med stöd av personal utan att falla.' }] },
    { lifeArea: 'domestic_life', needs: 'Orkar inte handla själv.', goals: [{ id: randomUUID(), text: 'Ha mat hemma som brukaren själv har valt.' }] },
  ],
  activities: [
    { id: randomUUID(), lifeArea: 'self_care', what: 'Stöd vid dusch', who: 'Undersköterska', how: 'Brukaren tvättar sig själv där hon kan; personal hjälper med ryggen.', when: 'Tisdag och fredag 08.00–08.45', ksiCode: null },
    { id: randomUUID(), lifeArea: 'domestic_life', what: 'Inköp', who: 'Vårdbiträde', how: 'Brukaren skriver inköpslistan.', when: 'Torsdagar eftermiddag', ksiCode: null },
  ],
  participation: 'Brukaren deltog i hela samtalet och formulerade målen själv.',
  othersPresent: [{ role: 'relative', name: 'Dotter' }],
  cooperation: 'Kontakt med handläggaren vid ändrade behov; distriktssköterskan vid sår.',
  followUp: { date: null, how: 'Samtal med brukaren och dottern.' },
});

export async function insertDemoPlans(tx: Queryable, now: Date): Promise<boolean> {
  if ((await tx.query('SELECT 1 FROM plans LIMIT 1')).rows.length > 0) return false;
  const { rows: staff } = await tx.query<{ id: string; name: string; title: string }>(
    "SELECT id, given_name || ' ' || family_name AS name, title FROM staff WHERE hsa_id = $1",
    [SARA],
  );
  const s = staff[0];
  if (!s) return false;
  const { rows: clients } = await tx.query<{ client_id: string }>(
    `SELECT DISTINCT ON (a.unit_id) a.client_id FROM assignments a WHERE a.status = 'executed' ORDER BY a.unit_id, a.client_id`,
  );
  const setAt = new Date(now.getTime() - 340 * DAY_MS);
  for (const [i, { client_id }] of clients.entries()) {
    const id = randomUUID();
    const who = [s.id, SARA, s.name, s.title];
    await tx.query(
      `INSERT INTO plans (id, unit_id, client_id, revision, created_at, created_by_staff_id, created_by_hsa_id, created_by_name, created_by_title, updated_at)
       SELECT $1, unit_id, id, 2, $3, $4, $5, $6, $7, $3 FROM clients WHERE id = $2`,
      [id, client_id, setAt, ...who],
    );
    await tx.query(
      `INSERT INTO plan_versions (id, plan_id, version_no, content, set_on, set_at, set_by_staff_id, set_by_hsa_id, set_by_name, set_by_title)
       VALUES ($1, $2, 1, $3::jsonb, $4, $5, $6, $7, $8, $9)`,
      [randomUUID(), id, JSON.stringify(content()), swedishDate(setAt), setAt, ...who],
    );
    if (i === 0) {
      await tx.query(
        `INSERT INTO plan_consents (id, plan_id, status, date, how, given_by, representative, note, recorded_at, recorded_by_staff_id, recorded_by_hsa_id, recorded_by_name, recorded_by_title)
         VALUES ($1, $2, 'given', $3, 'written', 'client', '', '', $4, $5, $6, $7, $8)`,
        [randomUUID(), id, swedishDate(setAt), setAt, ...who],
      );
    }
    // The head changed after its children: the feed's change for the plan comes last.
    await tx.query('UPDATE plans SET updated_at = $2 WHERE id = $1', [id, setAt]);
  }
  return clients.length > 0;
}
