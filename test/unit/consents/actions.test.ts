import { beforeEach, describe, expect, it, vi } from 'vitest';
import { answer, inputsOf, ok, refused, reset } from '../../support/renderer-bridge';

vi.mock('../../../renderer/src/bridge', () => import('../../support/renderer-bridge'));
const consents = await import('../../../renderer/src/screens/consents/consents-actions');

/**
 * The consent tab's actions (renderer/src/screens/consents/consents-actions.ts): what the tab
 * sends, as given, and the recording's id — every send of one client's form until it succeeds
 * carries the same id, so a retry after an error is one consent (docs/sync.md "Every create once").
 */
const clientId = '11111111-1111-4111-8111-111111111111';
const other = '33333333-3333-4333-8333-333333333333';
const input = { clientId, topic: 'health_care', otherText: null, answer: 'refused', form: 'oral', givenOn: '2026-12-01', note: null } as const;
const requestIdOf = (x: unknown) => (x as { requestId: string }).requestId;

beforeEach(reset);

describe('recordConsent', () => {
  it('sends the consent as given, with one requestId per client until it is recorded', async () => {
    answer('consents.record', refused('VALIDATION'), ok({ id: 'a' }), ok({ id: 'b' }));
    expect(await consents.recordConsent(input)).toEqual(refused('VALIDATION'));
    expect((await consents.recordConsent(input)).ok).toBe(true);
    await consents.recordConsent(input);
    const [a, b, c] = inputsOf('consents.record');
    expect(a).toEqual({ ...input, requestId: expect.any(String) });
    expect(requestIdOf(b)).toBe(requestIdOf(a));
    // Recorded: the next consent is a new one.
    expect(requestIdOf(c)).not.toBe(requestIdOf(a));
  });

  it('gives another client’s form its own id', async () => {
    answer('consents.record', refused('SERVER_UNREACHABLE'), refused('SERVER_UNREACHABLE'));
    await consents.recordConsent(input);
    await consents.recordConsent({ ...input, clientId: other });
    const [a, b] = inputsOf('consents.record');
    expect(requestIdOf(b)).not.toBe(requestIdOf(a));
  });
});

describe('listing and withdrawing', () => {
  it('asks for the client’s consents and sends a withdrawal as given, answering the Result as it came', async () => {
    answer('consents.list', ok([]));
    answer('consents.withdraw', refused('CONFLICT', 'Samtycket är redan återkallat.'));
    expect(await consents.listConsents(clientId)).toEqual(ok([]));
    const w = { id: other, withdrawnOn: '2026-12-02', reason: 'Ångrat.' };
    expect(await consents.withdrawConsent(w)).toEqual(refused('CONFLICT', 'Samtycket är redan återkallat.'));
    expect(inputsOf('consents.list')).toEqual([{ clientId }]);
    expect(inputsOf('consents.withdraw')).toEqual([w]);
  });
});
