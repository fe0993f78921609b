import type { Queryable } from '../db/types';
import { demoOrganisation } from '../seed/demo-people';

const DAY_MS = 86_400_000;

/**
 * A demo notice on the board (docs/messages.md), when there is none: the municipality's planned
 * outage on the second Sunday from `now`, 08–15 Swedish time, shown from now until it has passed.
 */
export async function insertDemoNotices(tx: Queryable, now: Date): Promise<boolean> {
  const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM notices');
  if ((rows[0]?.n ?? 0) > 0) return false;
  const sunday = new Date(now.getTime() + (7 + ((7 - now.getUTCDay()) % 7)) * DAY_MS).toISOString().slice(0, 10);
  const { rows: inserted } = await tx.query(
    `INSERT INTO notices (notice_id, unit_id, title, text, show_from, show_until, outage_start, outage_end, published_by_staff_id, published_by_name, published_at)
     SELECT n.id, u.id, 'Planerat driftstopp', 'Verksamhetssystemet uppdateras. Dokumentera på papper under stoppet och för in anteckningarna efteråt.',
            $2, ($3::date + time '15:00') AT TIME ZONE 'Europe/Stockholm',
            ($3::date + time '08:00') AT TIME ZONE 'Europe/Stockholm', ($3::date + time '15:00') AT TIME ZONE 'Europe/Stockholm',
            s.id, s.given_name || ' ' || s.family_name, $2
       FROM (SELECT gen_random_uuid() AS id) n, units u JOIN organisations o ON o.id = u.organisation_id,
            (SELECT * FROM staff WHERE role = 'case_officer' ORDER BY hsa_id LIMIT 1) s
      WHERE o.name = $1
     RETURNING id`,
    [demoOrganisation.name, now, sunday],
  );
  return inserted.length > 0;
}
