/**
 * A workstation updated before its server (issue 33, point 4): the server answers login as the
 * release before the version handshake did (no API version: version 1; test/support/stack.ts
 * `preHandshakeLogin`). The workstation knows its server is older (the session says so, and the
 * renderer shows the Swedish notice from it), keeps working on what it has, and the support view
 * on the server receives its report with the version difference in the version field. In-process
 * software card, real server on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, type SessionState } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { sv } from '../../../renderer/src/i18n/sv';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';
import { fastSync, ok, waitSynced } from '../sync/helpers';

let stack: Stack;
const reader = new DemoInProcessReader('Testläsare');
beforeAll(async () => {
  stack = await startStack('older-server', { card: cardAccessOver(reader), sync: fastSync, preHandshakeLogin: true });
  const sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' });
  reader.insert(await openCardFile(sara));
}, 120_000);
afterAll(async () => stack?.stop());

describe('a workstation newer than its server', { timeout: 120_000 }, () => {
  it('logs in, knows the server is older, still syncs what the older server serves, and reports it to the support view', async () => {
    const session = await ok<SessionState>(stack.workstation, 'session.login', { pin: '123456' });
    expect(session.state).toBe('active');
    expect(session.serverApiVersion).toBe(1);
    expect(API_VERSION).toBeGreaterThan(1);
    expect(sv.app.serverOlder).toMatch(/^Servern har en äldre version än den här arbetsstationen\./);

    await waitSynced(stack.workstation);
    const clients = await ok<unknown[]>(stack.workstation, 'clients.list', { limit: 500 });
    expect(clients.length).toBeGreaterThan(0);

    await expect
      .poll(async () => (await stack.db.query<{ app_version: string }>('SELECT app_version FROM support_reports')).rows.map((r) => r.app_version), { timeout: LIVE_WAIT_MS })
      .toEqual([expect.stringMatching(new RegExp(`\\+api${API_VERSION}-server1$`))]);
  });
});
