import { demoDb } from './helpers';
import { syncSuite } from './sync-suite';

syncSuite('PGlite', async () => {
  const db = await demoDb();
  return { db, close: () => db.close() };
});
