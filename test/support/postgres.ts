/**
 * A fresh PostgreSQL database per test file, on the server that test/support/postgres-setup.ts
 * started, so files never see each other's rows:
 *
 *   const database = await createTestDatabase('units');
 *   afterAll(() => database.drop());
 *   const db = await openPostgres({ connectionString: database.url });
 *
 * `createSeededDatabase` gives one already migrated and holding the demo organisation, as
 * `migrate` + `seedDemoData` would leave it: a copy of a template built once per test run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { swedishDate } from '#contract';
import { migrate, openPostgres } from '../../server/db';
import { seedDemoData } from '../../server/demo';

export interface TestDatabase {
  /** postgres://… of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** The URL of the server-wide test database provided by the global setup. */
export function testServerUrl(): string {
  const url = inject('databaseUrl') ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('No test PostgreSQL: run this file in a vitest project with test/support/postgres-setup.ts');
  return url;
}

export async function createTestDatabase(hint = 'db', template?: string): Promise<TestDatabase> {
  const base = new URL(testServerUrl());
  const name = `test_${hint.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(base, (admin) => admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(base, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A fresh database, migrated and seeded with the demo organisation (`migrate` then `seedDemoData`),
 * copied from a template database: migrating and seeding take seconds, a copy a fraction of that.
 * The template is built by the first file of the run that asks (the others wait on an advisory
 * lock) and is named for today's Swedish date: the demo data is dated relative to when it was
 * seeded, so a run that passes midnight seeds a new one rather than hand out yesterday's.
 */
export async function createSeededDatabase(hint = 'db'): Promise<TestDatabase> {
  const base = new URL(testServerUrl());
  const template = `template_seeded_${swedishDate().replaceAll('-', '')}`;
  await withAdmin(base, async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (rows.length > 0) return;
      // Built under another name and renamed when complete: a build that failed half-way is never copied.
      const building = `${template}_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${building}`);
      const url = new URL(base);
      url.pathname = `/${building}`;
      const db = await openPostgres({ connectionString: url.toString() });
      try {
        await migrate(db);
        await seedDemoData(db);
      } finally {
        await db.close();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
  return createTestDatabase(hint, template);
}

/** Arbitrary, fixed key of the advisory lock held while the seeded template is looked for or built. */
const TEMPLATE_LOCK_KEY = 7_340_202;

async function withAdmin<T>(base: URL, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestRoles {
  /** The database as its owner (MIGRATION_DATABASE_URL) and as the runtime role (DATABASE_URL). */
  ownerUrl: string;
  runtimeUrl: string;
  runtimeRole: string;
  drop(): Promise<void>;
}

/** An owner role that owns `database` and a runtime role with nothing yet (docs/security.md), random names. */
export async function createTestRoles(database: TestDatabase): Promise<TestRoles> {
  const suffix = randomBytes(4).toString('hex');
  const owner = `omsorg_owner_${suffix}`;
  const runtime = `omsorg_app_${suffix}`;
  const base = new URL(testServerUrl());
  await withAdmin(base, async (admin) => {
    await admin.query(`CREATE ROLE ${owner} LOGIN; CREATE ROLE ${runtime} LOGIN`);
    await admin.query(`ALTER DATABASE ${database.name} OWNER TO ${owner}`);
    await admin.query(`GRANT ALL ON SCHEMA public TO ${owner}`);
  });
  const as = (user: string) => {
    const url = new URL(database.url);
    url.username = user;
    return url.toString();
  };
  return {
    ownerUrl: as(owner),
    runtimeUrl: as(runtime),
    runtimeRole: runtime,
    drop: () =>
      withAdmin(base, (admin) => admin.query(`DROP ROLE IF EXISTS ${runtime}; DROP ROLE IF EXISTS ${owner}`))
        .then(() => undefined)
        .catch(() => undefined),
  };
}
