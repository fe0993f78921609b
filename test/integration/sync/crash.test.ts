import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRecord, SyncStatus } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader } from '../../../native/softcard';
import { startHostProcess, type HostProcess } from '../../support/host-process';
import { startStack, type Stack } from '../../support/stack';
import { ok } from './helpers';

/**
 * `kill -9` of the workstation's host in the middle of a burst of writes, then a restart on the
 * same data folder (same encrypted store, same development vault key) and a sync: every write
 * whose call had answered ok is on the server, exactly once.
 */
let stack: Stack;
let cardFile: string;
const hosts: HostProcess[] = [];

beforeAll(async () => {
  // The stack's own workstation has an empty reader; the crash test's workstation runs in a child process.
  stack = await startStack('sync-crash', { card: cardAccessOver(new DemoInProcessReader('Tom läsare')), serverSync: { coalesceMs: 20 } });
  cardFile = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' });
});
afterAll(async () => {
  for (const h of hosts) await h.kill9().catch(() => undefined);
  await stack?.stop();
});

async function synced(h: HostProcess): Promise<void> {
  await expect
    .poll(() => ok<SyncStatus>(h, 'sync.status'), { timeout: 30_000, interval: 20, message: 'the restarted host to sync' })
    .toMatchObject({ connection: 'online', pending: 0 });
}

async function burst(h: HostProcess, opts: { total: number; killAfterOk: number; inFlight: number; tag: string; clients: ClientRecord[] }) {
  const okIds: string[] = [];
  let sent = 0;
  let killed: Promise<void> | null = null;
  const one = async (): Promise<void> => {
    while (!killed && sent < opts.total) {
      const i = sent++;
      const c = opts.clients[i % opts.clients.length]!;
      const r = await (i % 2
        ? h.dispatch('daynotes.create', { unitId: c.unitId, clientId: c.id, text: `${opts.tag} ${i}` })
        : h.dispatch('journal.create', { clientId: c.id, eventDate: '2026-05-04', text: `${opts.tag} ${i}`, lifeArea: null }));
      if (r.ok) okIds.push((r.value as { id: string }).id);
      if (okIds.length >= opts.killAfterOk && !killed) killed = h.kill9();
    }
  };
  // Calls the dead process never answered resolve as failures (host-process.ts).
  await Promise.all(Array.from({ length: opts.inFlight }, one));
  await killed;
  return { okIds, sent };
}

describe('kill -9 during a burst of writes', () => {
  for (const serverUp of [true, false]) {
    it(`every write answered ok is on the server exactly once after restart and sync (server ${serverUp ? 'up' : 'down'} during the burst)`, async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ws-crash-'));
      const env = { SERVER_URL: stack.serverUrl, DATA_DIR: dataDir, CARD_FILE: cardFile };
      const first = await startHostProcess(env);
      hosts.push(first);
      await synced(first);
      const clients = (await ok<ClientRecord[]>(first, 'clients.list', { limit: 50 })).slice(0, 10);
      expect(clients.length).toBeGreaterThan(0);
      if (!serverUp) await stack.server.stop();
      const tag = `Krasch-${serverUp ? 'uppe' : 'nere'}-${Date.now()}`;
      const { okIds, sent } = await burst(first, { total: 400, killAfterOk: 120, inFlight: 12, tag, clients });
      expect(okIds.length).toBeGreaterThanOrEqual(120);
      console.log(JSON.stringify({ crash: serverUp ? 'server up' : 'server down', sent, answeredOk: okIds.length }));
      if (!serverUp) await stack.server.start();

      const second = await startHostProcess(env);
      hosts.push(second);
      await synced(second);
      const { rows } = await stack.db.query<{ id: string }>(
        `SELECT id::text FROM journal_entries WHERE text LIKE $1 UNION ALL SELECT id::text FROM day_notes WHERE text LIKE $1`,
        [`${tag} %`],
      );
      const onServer = rows.map((r) => r.id);
      const counts = new Map<string, number>();
      for (const id of onServer) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(okIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
      // Nothing doubled, and nothing beyond what was sent.
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(onServer.length).toBeLessThanOrEqual(sent);
      await second.stop();
    });
  }
});
