import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change, Cursors } from '#contract';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { generateTestPki } from '../../../tools/pki/index';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { dayNoteCreate, journalCreate, openEvents, pullAll, startSyncHarness, syncSuite, type SyncHarness } from '../../unit/server/sync-suite';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

async function freshDb(hint: string): Promise<{ db: Db; url: string }> {
  const database = await createSeededDatabase(hint);
  databases.push(database);
  const db = await openPostgres({ connectionString: database.url, maxConnections: 20 });
  return { db, url: database.url };
}

syncSuite('PostgreSQL', async () => {
  const { db } = await freshDb('sync');
  return { db, close: () => db.close() };
});

describe('sync across two server nodes on one PostgreSQL', { timeout: 60_000 }, () => {
  let dbA: Db;
  let dbB: Db;
  let a: SyncHarness;
  let b: SyncHarness;
  let baseB: string;

  beforeAll(async () => {
    const fresh = await freshDb('sync_nodes');
    dbA = fresh.db;
    dbB = await openPostgres({ connectionString: fresh.url, maxConnections: 20 });
    const pki = await generateTestPki();
    a = await startSyncHarness(dbA, { listen: true, pki });
    b = await startSyncHarness(dbB, { listen: true, pki });
    baseB = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await dbB?.close();
    await dbA?.close();
  });

  it('a push through node A produces a `changed` event on a stream of node B within a second', async () => {
    const anna = await b.login('anna');
    const stream = await openEvents(baseB, anna.token);
    try {
      expect(await stream.next('ready')).toEqual({ unitIds: [b.units.hemtjanst] });
      const sara = await a.login('sara');
      const { results } = await sara.push(dayNoteCreate(a.units.hemtjanst, await a.client('hemtjanst', 1), 'Ringde om tvättstugan.'));
      expect(results[0]!.status).toBe('applied');
      expect(await stream.next('changed', 5_000)).toEqual({ unitIds: [b.units.hemtjanst] });
    } finally {
      stream.close();
    }
  });

  it('a write straight into the database (no server involved) reaches the streams too, through NOTIFY', async () => {
    const anna = await b.login('anna');
    const stream = await openEvents(baseB, anna.token);
    try {
      await stream.next('ready');
      await dbA.query('UPDATE day_notes SET summarised_at = now() WHERE id = (SELECT id FROM day_notes WHERE unit_id = $1 AND summarised_at IS NULL LIMIT 1)', [a.units.hemtjanst]);
      expect(await stream.next('changed', 1_000)).toEqual({ unitIds: [b.units.hemtjanst] });
    } finally {
      stream.close();
    }
  });

  it('with writers racing on both nodes, a puller pulling all the while misses nothing and sees nothing twice', async () => {
    const anna = await a.login('anna');
    const writers = [await a.login('sara'), await b.login('sara'), await a.login('olof'), await b.login('anna')];
    const clients = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => a.client('hemtjanst', n)));
    let { cursors } = await pullAll(anna);
    const seen: Change[] = [];
    let writing = true;
    const puller = (async () => {
      while (writing) {
        const page = await pullAll(anna, cursors);
        seen.push(...page.changes);
        cursors = page.cursors;
      }
    })();
    const written: string[] = [];
    await Promise.all(
      writers.map(async (w, i) => {
        for (let k = 0; k < 15; k++) {
          const m = journalCreate(clients[(i + k) % clients.length]!);
          written.push((m.record as { id: string }).id);
          const { results } = await w.push(m);
          expect(results[0]!.status).toBe('applied');
        }
      }),
    );
    writing = false;
    await puller;
    const rest = await pullAll(anna, cursors as Cursors);
    seen.push(...rest.changes);
    const ids = seen.filter((c) => c.type === 'journal_entry').map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(written));
  });
});
