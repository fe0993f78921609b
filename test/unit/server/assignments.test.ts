import { assignmentSuite } from './assignments-suite';
import { demoDb } from './helpers';

assignmentSuite('PGlite', async () => {
  const db = await demoDb();
  return { db, close: () => db.close() };
});
