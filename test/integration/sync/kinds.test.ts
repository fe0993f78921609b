import { afterAll } from 'vitest';
import { openPostgres } from '../../../server/db/postgres';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { kindsSuite } from '../../unit/sync/kinds-suite';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

kindsSuite('PostgreSQL', async () => {
  const database = await createSeededDatabase('kinds');
  databases.push(database);
  const db = await openPostgres({ connectionString: database.url, maxConnections: 20 });
  return { db, close: () => db.close() };
});
