import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createWorkstation } from '../../main/app';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host';
import type { Workstation } from '../../main/workstation';
import { createServer } from '../../server/app';
import { migrate, openPostgres, type Db } from '../../server/db';
import { seedDemoData } from '../../server/seed/seed';
import { createTestDatabase, type TestDatabase } from './postgres';

export const rendererDir = path.resolve(import.meta.dirname, '../../dist/renderer');

export interface Stack {
  db: Db;
  serverUrl: string;
  workstation: Workstation;
  host: BrowserHost;
  stop(): Promise<void>;
}

/**
 * The whole product on this machine, for e2e tests: the real server on a fresh database of the
 * real PostgreSQL, seeded with the demo organisation; the workstation's services; the browser host
 * serving the built renderer (run `npm run build` first; `npm test` does).
 */
export async function startStack(hint: string): Promise<Stack> {
  const database: TestDatabase = await createTestDatabase(hint);
  const db = await openPostgres({ connectionString: database.url });
  await migrate(db);
  await seedDemoData(db);
  const app = createServer({ db, version: 'test', logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const serverUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const workstation = await createWorkstation({ host: 'browser', serverUrl, dataDir: path.join(database.name) });
  const host = await startBrowserHost({ workstation, rendererDir });
  return {
    db,
    serverUrl,
    workstation,
    host,
    stop: async () => {
      await host.close();
      await workstation.close();
      await app.close();
      await db.close();
      await database.drop();
    },
  };
}
