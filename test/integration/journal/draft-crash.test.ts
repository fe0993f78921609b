import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientRecord } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader } from '../../../native/softcard';
import { startHostProcess, type HostProcess } from '../../support/host-process';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';
import { ok } from '../sync/helpers';

/**
 * A journal draft survives `kill -9` of the workstation's host: a draft save that answered ok is
 * in the encrypted store when the host starts again on the same data folder.
 */
let stack: Stack;
let cardFile: string;
const hosts: HostProcess[] = [];

beforeAll(async () => {
  stack = await startStack('draft-crash', { card: cardAccessOver(new DemoInProcessReader('Tom läsare')) });
  cardFile = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' });
});
afterAll(async () => {
  for (const h of hosts) await h.kill9().catch(() => undefined);
  await stack?.stop();
});

describe('a journal draft and kill -9', () => {
  it('is there after the host is killed mid-typing and started again', async () => {
    const env = { SERVER_URL: stack.serverUrl, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ws-draft-crash-')), CARD_FILE: cardFile };
    const first = await startHostProcess(env);
    hosts.push(first);
    const clients = await vi.waitFor(
      async () => {
        const list = await ok<ClientRecord[]>(first, 'clients.list', { limit: 5 });
        expect(list.length, 'the host synced its clients').toBeGreaterThan(0);
        return list;
      },
      { timeout: LIVE_WAIT_MS, interval: 100 },
    );
    const clientId = clients[0]!.id;
    // Typing: drafts saved one after another; the host dies right after the last answered save.
    let last = '';
    for (let i = 1; i <= 20; i++) {
      last = `Brukaren ville inte äta frukost, ${'x'.repeat(i)}`;
      await ok(first, 'drafts.save', { clientId, text: last, eventDate: '2026-05-04' });
    }
    await first.kill9();
    const second = await startHostProcess(env);
    hosts.push(second);
    expect(await ok(second, 'drafts.get', { clientId })).toMatchObject({ clientId, text: last, eventDate: '2026-05-04' });
    await second.stop();
  });
});
