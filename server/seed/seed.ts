import type { Db, Queryable } from '../db/types';
import { demoClients, demoGrantorHsaId, demoOrganisation, demoStaff, demoUnits, type DemoUnitKey } from './demo-people';

/**
 * Loads the demo organisation into an empty database, in one transaction. Does nothing when any
 * organisation exists already, so it is safe to run at every start (`SEED=1`).
 * Returns whether it seeded.
 */
export async function seedDemoData(db: Db): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM organisations');
    if ((rows[0]?.n ?? 0) > 0) return false;
    await insertDemoData(tx);
    return true;
  });
}

async function insertDemoData(tx: Queryable): Promise<void> {
  const organisationId = await insertReturningId(tx, 'INSERT INTO organisations (name, municipality) VALUES ($1, $2) RETURNING id', [
    demoOrganisation.name,
    demoOrganisation.municipality,
  ]);

  const unitIds = {} as Record<DemoUnitKey, string>;
  for (const [key, unit] of Object.entries(demoUnits) as [DemoUnitKey, (typeof demoUnits)[DemoUnitKey]][]) {
    unitIds[key] = await insertReturningId(
      tx,
      'INSERT INTO units (organisation_id, name, service_type) VALUES ($1, $2, $3) RETURNING id',
      [organisationId, unit.name, unit.serviceType],
    );
  }

  for (const client of demoClients) {
    await tx.query('INSERT INTO clients (personnummer, given_name, family_name, unit_id) VALUES ($1, $2, $3, $4)', [
      client.personnummer,
      client.givenName,
      client.familyName,
      unitIds[client.unit],
    ]);
  }

  const staffIds = new Map<string, string>();
  for (const person of demoStaff) {
    staffIds.set(
      person.hsaId,
      await insertReturningId(
        tx,
        `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [person.hsaId, person.givenName, person.familyName, person.title, person.role, person.provider ? organisationId : null],
      ),
    );
  }

  const grantorId = staffIds.get(demoGrantorHsaId)!;
  for (const person of demoStaff) {
    const staffId = staffIds.get(person.hsaId)!;
    for (const permission of person.permissions) {
      await tx.query(
        'INSERT INTO permissions (staff_id, unit_id, valid_from, valid_to, granted_by) VALUES ($1, $2, $3, $4, $5)',
        [staffId, unitIds[permission.unit], permission.validFrom, permission.validTo ?? null, staffId === grantorId ? null : grantorId],
      );
    }
  }
}

async function insertReturningId(tx: Queryable, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(sql, params);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('INSERT … RETURNING id returned no row');
  return id;
}
