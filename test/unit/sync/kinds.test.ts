import { demoDb } from '../server/helpers';
import { kindsSuite } from './kinds-suite';

kindsSuite('PGlite', async () => {
  const db = await demoDb();
  return { db, close: () => db.close() };
});
