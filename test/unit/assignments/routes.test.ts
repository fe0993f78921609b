import { demoDb } from '../server/helpers';
import { assignmentSuite } from './routes-suite';

assignmentSuite('PGlite', async () => {
  const db = await demoDb();
  return { db, close: () => db.close() };
});
