import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HsaId, StaffRole } from '#contract';
import { luhnValid, parsePersonnummer } from '#contract';
import type { Db } from '../../../server/db/types';
import { seedDemoData } from '../../../server/demo';
import { demoClients, demoStaff, demoUnits } from '../../../server/seed/demo-people';
import { demoDb } from './helpers';

describe('the demo people', () => {
  it('have Luhn-valid 12-digit personnummer with real calendar dates (Skatteverket test numbers)', () => {
    for (const client of demoClients) {
      expect(client.personnummer, client.personnummer).toMatch(/^\d{12}$/);
      expect(luhnValid(client.personnummer.slice(2)), client.personnummer).toBe(true);
      expect(parsePersonnummer(client.personnummer), client.personnummer).toBe(client.personnummer);
    }
  });

  it('are about twenty clients, no personnummer twice, in both units', () => {
    expect(demoClients.length).toBeGreaterThanOrEqual(20);
    expect(new Set(demoClients.map((c) => c.personnummer)).size).toBe(demoClients.length);
    expect(new Set(demoClients.map((c) => c.unit))).toEqual(new Set(Object.keys(demoUnits)));
  });

  it('include staff with valid HSA-IDs and every role a provider and municipality need', () => {
    for (const person of demoStaff) expect(HsaId.safeParse(person.hsaId).success, person.hsaId).toBe(true);
    expect(new Set(demoStaff.map((p) => p.hsaId)).size).toBe(demoStaff.length);
    expect(new Set(demoStaff.map((p) => p.role))).toEqual(new Set(StaffRole.options));
    const caseOfficer = demoStaff.find((p) => p.role === 'case_officer');
    expect(caseOfficer?.title).toBe('Biståndshandläggare');
    expect(caseOfficer?.provider).toBe(false);
  });
});

describe('seeding the demo organisation', () => {
  let db: Db;
  beforeAll(async () => {
    db = await demoDb({ seed: false });
  });
  afterAll(() => db.close());

  const count = async (table: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n;

  it('fills an empty database with one organisation in Göteborg, its two units, clients, staff and permissions', async () => {
    expect(await seedDemoData(db)).toBe(true);
    const { rows } = await db.query<{ name: string; municipality: string }>('SELECT name, municipality FROM organisations');
    expect(rows).toEqual([{ name: 'Omsorgsbolaget Väst AB', municipality: 'Göteborg' }]);
    expect(await count('units')).toBe(2);
    expect(await count('clients')).toBe(demoClients.length);
    expect(await count('staff')).toBe(demoStaff.length);
    expect(await count('permissions')).toBe(demoStaff.flatMap((p) => p.permissions).length);
  });

  it('writes journal entries and day notes for every demo client, dated within the day-note retention, each with its change row', async () => {
    expect(await count('journal_entries')).toBeGreaterThanOrEqual(demoClients.length * 3);
    expect(await count('day_notes')).toBeGreaterThanOrEqual(demoClients.length * 2);
    const { rows } = await db.query<{ clients_without: number; oldest_days: number; future: number; marked: number; corrections: number }>(
      `SELECT (SELECT count(*)::int FROM clients c WHERE NOT EXISTS (SELECT 1 FROM journal_entries j WHERE j.client_id = c.id)) AS clients_without,
              (SELECT extract(epoch FROM now() - min(created_at)) / 86400 FROM day_notes)::float AS oldest_days,
              (SELECT count(*)::int FROM (SELECT created_at FROM day_notes UNION ALL SELECT created_at FROM journal_entries) t WHERE created_at > now()) AS future,
              (SELECT count(*)::int FROM journal_entries WHERE erroneous_at IS NOT NULL) AS marked,
              (SELECT count(*)::int FROM journal_entries WHERE corrects_id IS NOT NULL) AS corrections`,
    );
    expect(rows[0]).toMatchObject({ clients_without: 0, future: 0, marked: 2, corrections: 2 });
    expect(rows[0]!.oldest_days).toBeLessThan(90);
    const missing = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT id FROM clients UNION ALL SELECT id FROM journal_entries UNION ALL SELECT id FROM day_notes
       ) r WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.record_id = r.id)`,
    );
    expect(missing.rows[0]?.n).toBe(0);
  });

  it('is idempotent: a second run does nothing', async () => {
    expect(await seedDemoData(db)).toBe(false);
    expect(await count('organisations')).toBe(1);
    expect(await count('clients')).toBe(demoClients.length);
    expect(await count('journal_entries')).toBe(demoClients.length * 3 + 4);
  });

  it('grants permissions per unit with a validity period, keeping an ended one on record', async () => {
    const { rows } = await db.query<{ valid_from: string; valid_to: string | null; unit: string }>(
      `SELECT p.valid_from, p.valid_to, u.name AS unit FROM permissions p
         JOIN staff s ON s.id = p.staff_id JOIN units u ON u.id = p.unit_id
        WHERE s.hsa_id = 'SE2321000131-P000000000108' ORDER BY p.valid_from`,
    );
    expect(rows).toEqual([
      { valid_from: '2025-01-01', valid_to: '2025-06-30', unit: 'Daglig verksamhet Hisingen' },
      { valid_from: '2025-07-01', valid_to: null, unit: 'Hemtjänst Majorna' },
    ]);
  });

  it('has the IT contact person grant everyone else\'s permissions', async () => {
    const { rows } = await db.query<{ grantor: string | null; n: number }>(
      `SELECT g.title AS grantor, count(*)::int AS n FROM permissions p LEFT JOIN staff g ON g.id = p.granted_by
        GROUP BY g.title ORDER BY g.title NULLS LAST`,
    );
    expect(rows[0]?.grantor).toBe('IT-kontaktperson');
    expect(rows[1]).toEqual({ grantor: null, n: 2 });
  });
});
