import { demoDb } from './helpers';
import { assignmentSuite } from './assignments-suite';

assignmentSuite('PGlite', async () => {
  const db = await demoDb();
  return { db, close: () => db.close() };
});
