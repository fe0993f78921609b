import { defaultMethodsFor, setOrganisationMethods } from '../auth/password/store';
import type { Queryable } from '../db/types';
import { demoClients, demoGrantorHsaId, demoOrganisation, demoStaff, demoUnits, type DemoUnitKey } from './demo-people';

/**
 * Loads the demo organisation into an empty database in `tx` (units, clients, staff, their
 * permissions and roles); does nothing when it is there. Whether it added it. server/demo.ts runs
 * it, then each kind's demo records.
 */
export async function seedDemoOrganisation(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM organisations');
  if ((rows[0]?.n ?? 0) > 0) return false;
  await insertDemoData(tx);
  return true;
}

async function insertDemoData(tx: Queryable): Promise<void> {
  const organisationId = await insertReturningId(tx, 'INSERT INTO organisations (name, municipality) VALUES ($1, $2) RETURNING id', [
    demoOrganisation.name,
    demoOrganisation.municipality,
  ]);
  // The card-less logins its municipality runs (issue 29: Göteborg password + SMS code).
  await setOrganisationMethods(tx, organisationId, defaultMethodsFor(demoOrganisation.municipality), null, new Date());

  const unitIds = {} as Record<DemoUnitKey, string>;
  for (const [key, unit] of Object.entries(demoUnits) as [DemoUnitKey, (typeof demoUnits)[DemoUnitKey]][]) {
    unitIds[key] = await insertReturningId(
      tx,
      'INSERT INTO units (organisation_id, name, service_type, service_kinds) VALUES ($1, $2, $3, $4::text[]) RETURNING id',
      [organisationId, unit.name, unit.serviceType, unit.serviceKinds],
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

  // Administrative roles (docs/administration.md) for the whole organisation: the IT contact
  // persons' own are bootstrap grants (granted by nobody); two of them, so four-eyes can complete.
  for (const person of demoStaff) {
    if (!person.provider || (person.role !== 'superuser' && person.role !== 'it_contact' && person.role !== 'manager')) continue;
    const staffId = staffIds.get(person.hsaId)!;
    // The IT contact persons are the installation's (bootstrap): the database lets no administrator confirm her own grant of another.
    const by = staffId === grantorId || person.role === 'it_contact' ? null : grantorId;
    await tx.query(
      `INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, granted_by, confirmed_at, confirmed_by)
       VALUES ($1, $2, NULL, $3, '2025-01-01', $4, now(), $4)`,
      [staffId, organisationId, person.role, by],
    );
  }
}

async function insertReturningId(tx: Queryable, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(sql, params);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('INSERT … RETURNING id returned no row');
  return id;
}
