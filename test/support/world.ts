import type { FastifyInstance } from 'fastify';
import { createServer } from '../../server/app';
import { type Db, openPostgres } from '../../server/db';
import type { Queryable } from '../../server/db/types';
import { generateTestPki, type TestPki } from '../../tools/pki/index';
import { authOptions } from '../unit/server/auth-suite';
import { createSeededDatabase, type TestDatabase } from './postgres';

/**
 * People, organisations and units written straight into the server's tables, for tests that need
 * a world beyond the demo seed (another provider organisation, an administrator of one unit, a
 * case officer who sent nothing). The demo seed's own people come from server/seed.
 */

export interface PersonSpec {
  hsaId: string;
  givenName: string;
  familyName: string;
  title?: string;
  role?: 'staff' | 'superuser' | 'it_contact' | 'manager' | 'case_officer';
  /** null: the municipality's (a case officer). */
  organisationId: string | null;
}

export async function addOrganisation(db: Queryable, name: string, units: string[]): Promise<{ id: string; units: string[] }> {
  const id = (await db.query<{ id: string }>(`INSERT INTO organisations (name, municipality) VALUES ($1, 'Göteborg') RETURNING id`, [name])).rows[0]!.id;
  const unitIds: string[] = [];
  for (const unit of units) {
    unitIds.push((await db.query<{ id: string }>(`INSERT INTO units (organisation_id, name, service_type) VALUES ($1, $2, 'hemtjanst') RETURNING id`, [id, unit])).rows[0]!.id);
  }
  return { id, units: unitIds };
}

export async function addPerson(db: Queryable, p: PersonSpec): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [p.hsaId, p.givenName, p.familyName, p.title ?? 'Testperson', p.role ?? 'staff', p.organisationId],
  );
  return rows[0]!.id;
}

/** A unit permission from `validFrom` (default long ago) to `validTo` (inclusive; null: until further notice). */
export async function permit(db: Queryable, staffId: string, unitId: string, validTo: string | null = null, validFrom = '2025-01-01'): Promise<void> {
  await db.query('INSERT INTO permissions (staff_id, unit_id, valid_from, valid_to) VALUES ($1, $2, $3, $4)', [staffId, unitId, validFrom, validTo]);
}

/** A role in force from long ago, confirmed (unitId null: the whole organisation). */
export async function grantRole(db: Queryable, staffId: string, organisationId: string, unitId: string | null, role: 'superuser' | 'it_contact' | 'manager'): Promise<void> {
  await db.query(
    `INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at) VALUES ($1, $2, $3, $4, '2025-01-01', now())`,
    [staffId, organisationId, unitId, role],
  );
}

export interface DemoServer {
  database: TestDatabase;
  db: Db;
  app: FastifyInstance;
  pki: TestPki;
  close(): Promise<void>;
}

/** A server on its own PostgreSQL database with the demo seed (a copy of the seeded template), ready for app.inject (or listening on port 0). */
export async function startDemoServer(hint: string, options: { listen?: boolean } = {}): Promise<DemoServer> {
  const database = await createSeededDatabase(hint);
  const db = await openPostgres({ connectionString: database.url, maxConnections: 6 });
  const pki = await generateTestPki();
  const app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
  if (options.listen) await app.listen({ host: '127.0.0.1', port: 0 });
  else await app.ready();
  return {
    database,
    db,
    app,
    pki,
    async close() {
      await app.close();
      await db.close();
      await database.drop();
    },
  };
}
