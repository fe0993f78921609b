import { defaultMethodsFor, setOrganisationMethods } from '../auth/password/store';
import { MIGRATION_LOCK_KEY } from '../db/migrate';
import type { Db, Queryable } from '../db/types';
import { SERVER_KINDS } from '../sync/kinds';
import { demoClients, demoGrantorHsaId, demoOrganisation, demoStaff, demoUnits, type DemoUnitKey } from './demo-people';

/**
 * Loads the demo organisation into an empty database, then each synced kind's demo records (its
 * `seed` in the kind's server module: journal entries and day notes dated within the last weeks
 * relative to `now`, assignments, plans, notices), each only when the demo organisation has none
 * of them yet; in one transaction. Does nothing when all are there already, so it is safe to run
 * at every start (`SEED=1`). Returns whether it seeded anything. Every row gets its change row by
 * the triggers, so a workstation syncing from empty receives all of it.
 */
export async function seedDemoData(db: Db, now: Date = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Nodes started together seed once: the second waits here and then finds the organisation.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM organisations');
    let seeded = false;
    if ((rows[0]?.n ?? 0) === 0) {
      await insertDemoData(tx);
      seeded = true;
    }
    // Each kind's demo records (its `seed`), in the registry's order: plans need assignments.
    for (const kind of SERVER_KINDS) if ('seed' in kind && kind.seed && (await kind.seed(tx, now))) seeded = true;
    return seeded;
  });
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
