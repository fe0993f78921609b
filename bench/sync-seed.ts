/**
 * The unit the sync benchmarks fill a workstation from (bench/sync.ts, bench/sync-pull.ts): 200
 * clients, `entries` journal entries and `notes` day notes, written by Sara (a demo staff member,
 * server/demo.ts) who is given the unit.
 */
import type { Db } from '../server/db';

export const SARA = 'SE2321000131-P000000000103';

/** Adds the unit named `name` on a database with the demo data; returns its id. */
export async function seedBenchUnit(db: Db, name: string, entries: number, notes: number): Promise<string> {
  const unitId = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO units (organisation_id, name, service_type) SELECT id, $1, 'hemtjanst' FROM organisations ORDER BY created_at LIMIT 1 RETURNING id`,
      [name],
    );
    const unit = rows[0]!.id;
    const prefix = String(2000 + Math.floor(Math.random() * 99)).padStart(4, '0');
    await tx.query(
      `INSERT INTO clients (personnummer, given_name, family_name, unit_id)
       SELECT $2 || lpad(g::text, 8, '0'), 'Brukare', 'Nummer ' || g, $1 FROM generate_series(1, 200) g
       ON CONFLICT (personnummer) DO NOTHING`,
      [unit, prefix],
    );
    await tx.query(
      `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, author_staff_id, author_hsa_id, author_name, author_title, created_at)
       SELECT gen_random_uuid(), c.ids[1 + g % array_length(c.ids, 1)], $1, current_date - (g % 365),
              'Besök ' || g || '. Hjälp med frukost, medicin och en kort promenad. Brukaren var nöjd och pigg i dag.',
              (ARRAY['self_care','mobility','domestic_life',NULL])[1 + g % 4], s.id, s.hsa_id, s.given_name || ' ' || s.family_name, s.title,
              now() - (g % 365) * interval '1 day'
         FROM generate_series(1, $2::int) g,
              (SELECT array_agg(id ORDER BY id) AS ids FROM clients WHERE unit_id = $1) c,
              (SELECT * FROM staff WHERE hsa_id = $3) s`,
      [unit, entries, SARA],
    );
    await tx.query(
      `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at)
       SELECT gen_random_uuid(), $1, CASE WHEN g % 3 = 0 THEN NULL ELSE c.ids[1 + g % array_length(c.ids, 1)] END,
              'Anteckning ' || g || ': larmet testat, posten hämtad, anhörig ringer i kväll.',
              s.id, s.hsa_id, s.given_name || ' ' || s.family_name, s.title, now() - (g % 80) * interval '1 day' - (g % 1440) * interval '1 minute'
         FROM generate_series(1, $2::int) g,
              (SELECT array_agg(id ORDER BY id) AS ids FROM clients WHERE unit_id = $1) c,
              (SELECT * FROM staff WHERE hsa_id = $3) s`,
      [unit, notes, SARA],
    );
    await tx.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) SELECT id, $1, '2025-01-01' FROM staff WHERE hsa_id = $2`, [unit, SARA]);
    return unit;
  });
  // A production database is vacuumed and analysed by autovacuum; the rows just bulk-inserted
  // here are not (PGlite never runs it), and the first reads would pay for setting hint bits.
  await db.query('VACUUM ANALYZE');
  return unitId;
}
