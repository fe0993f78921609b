import { authSuite } from './auth-suite';
import { demoDb } from './helpers';

authSuite('PGlite', async () => {
  const db = await demoDb();
  return { db, close: () => db.close() };
});
