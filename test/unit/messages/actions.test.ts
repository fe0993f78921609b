import { beforeEach, describe, expect, it, vi } from 'vitest';
import { answer, calls, inputsOf, ok, refused, reset } from '../../support/renderer-bridge';

vi.mock('../../../renderer/src/bridge', () => import('../../support/renderer-bridge'));
const messages = await import('../../../renderer/src/screens/messages/messages-actions');

/**
 * The message screens' actions (renderer/src/screens/messages/messages-actions.ts): a new thread
 * and an attachment are sent once per form until they succeed; what a new thread is about is
 * read from the store, the assignment before the client.
 */
const unitId = '11111111-1111-4111-8111-111111111111';
const clientId = '22222222-2222-4222-8222-222222222222';
const assignmentId = '33333333-3333-4333-8333-333333333333';
const threadId = '44444444-4444-4444-8444-444444444444';
const requestIdOf = (input: unknown) => (input as { requestId: string }).requestId;

beforeEach(reset);

describe('startThread', () => {
  const thread = { unitId, subject: 'Nyckel', text: 'Var är nyckeln?', toUnit: true, participantIds: [], clientId, assignmentId: null };

  it('sends the thread as written, with one requestId per unit and subject until it is sent', async () => {
    answer('messages.start', refused('SERVER_UNREACHABLE'), ok({}), refused('SERVER_UNREACHABLE'));
    await messages.startThread(thread);
    await messages.startThread(thread);
    await messages.startThread(thread);
    const [a, b, c] = inputsOf('messages.start');
    expect(a).toEqual({ ...thread, requestId: expect.any(String) });
    expect(requestIdOf(b)).toBe(requestIdOf(a));
    expect(requestIdOf(c)).not.toBe(requestIdOf(a));
  });

  it('gives a thread about an assignment of the client its own id', async () => {
    answer('messages.start', refused('SERVER_UNREACHABLE'), refused('SERVER_UNREACHABLE'));
    await messages.startThread(thread);
    await messages.startThread({ ...thread, assignmentId });
    const [a, b] = inputsOf('messages.start');
    expect(requestIdOf(b)).not.toBe(requestIdOf(a));
  });
});

it('attaches once per thread until it succeeds, the reply’s text with it', async () => {
  answer('messages.attach', refused('SERVER_UNREACHABLE'), ok({}));
  await messages.attachToThread(threadId, 'journal', 'Se bilagan');
  await messages.attachToThread(threadId, 'plan', '');
  const [a, b] = inputsOf('messages.attach');
  expect(a).toEqual({ requestId: expect.any(String), threadId, kind: 'journal', text: 'Se bilagan' });
  expect(requestIdOf(b)).toBe(requestIdOf(a));
});

describe('aboutRecords', () => {
  it('reads the assignment, then the client; a refusal or a record not in the store is null', async () => {
    answer('inbox.stored', ok({ id: assignmentId }));
    answer('clients.get', refused('NOT_FOUND'));
    expect(await messages.aboutRecords({ clientId, assignmentId })).toEqual({ assignment: { id: assignmentId }, client: null });
    expect(calls.map((c) => c.method)).toEqual(['inbox.stored', 'clients.get']);
    answer('clients.get', ok(null));
    expect(await messages.aboutRecords({ clientId, assignmentId: null })).toEqual({ assignment: null, client: null });
  });

  it('asks nothing when the thread is about neither', async () => {
    expect(await messages.aboutRecords({ clientId: null, assignmentId: null })).toEqual({ assignment: null, client: null });
    expect(calls).toEqual([]);
  });
});

it('lists the threads about the assignment when there is one, else the client’s, else all', async () => {
  answer('messages.list', ok([]), ok([]), ok([]));
  await messages.threadsAbout({ clientId, assignmentId });
  await messages.threadsAbout({ clientId });
  await messages.threadsAbout({});
  expect(inputsOf('messages.list')).toEqual([{ limit: 50, assignmentId }, { limit: 50, clientId }, { limit: 50 }]);
});
