import { afterAll } from 'vitest';
import { migrate } from '../../../server/db/migrate';
import { openPostgres } from '../../../server/db/postgres';
import { seedDemoData } from '../../../server/demo';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { assignmentSuite } from '../../unit/assignments/routes-suite';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

assignmentSuite('PostgreSQL', async () => {
  const database = await createTestDatabase('assignments');
  databases.push(database);
  const db = await openPostgres({ connectionString: database.url, maxConnections: 10 });
  await migrate(db);
  await seedDemoData(db);
  return { db, close: () => db.close() };
});
