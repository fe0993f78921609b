import { afterAll } from 'vitest';
import { openPostgres } from '../../../server/db/postgres';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { assignmentSuite } from '../../unit/assignments/routes-suite';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

assignmentSuite('PostgreSQL', async () => {
  const database = await createSeededDatabase('assignments');
  databases.push(database);
  const db = await openPostgres({ connectionString: database.url, maxConnections: 10 });
  return { db, close: () => db.close() };
});
