import { describe, expect, it } from 'vitest';
import { apiContract, createApiClient, createEventSource, methodNames, type Bridge } from '#contract';

const unit = { id: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c11', organisationId: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c12', name: 'Hemtjänst Centrum', serviceType: 'hemtjanst', clientCount: 3 };

describe('the typed client derived from the contract', () => {
  it('has one function per contract method, as plain objects contextBridge can copy', () => {
    const client = createApiClient({ invoke: async () => ({ ok: true, value: null }) });
    for (const name of methodNames()) {
      const [ns, m] = name.split('.') as [keyof typeof apiContract, string];
      expect(typeof (client[ns] as Record<string, unknown>)[m]).toBe('function');
    }
    expect(Object.getPrototypeOf(client)).toBe(Object.prototype);
  });

  it('sends the method name as the contract names it and returns a valid reply', async () => {
    const calls: string[] = [];
    const client = createApiClient({
      invoke: async (method) => {
        calls.push(method);
        return { ok: true, value: [unit] };
      },
    });
    const r = await client.units.list({});
    expect(calls).toEqual(['units.list']);
    expect(r).toEqual({ ok: true, value: [unit] });
  });

  it('turns a reply that breaks the contract into an INTERNAL error', async () => {
    const client = createApiClient({ invoke: async () => ({ ok: true, value: [{ name: 42 }] }) });
    const r = await client.units.list({});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INTERNAL');
  });

  it('turns a transport failure into SERVER_UNREACHABLE', async () => {
    const client = createApiClient({ invoke: async () => Promise.reject(new Error('socket closed')) });
    const r = await client.app.info({});
    expect(r.ok === false && r.error.code).toBe('SERVER_UNREACHABLE');
  });

  it('passes only contract-valid event payloads to listeners', () => {
    let emit: (name: string, payload: unknown) => void = () => undefined;
    const bridge: Pick<Bridge, 'subscribe'> = { subscribe: (l) => ((emit = l), () => undefined) };
    const seen: unknown[] = [];
    createEventSource(bridge).on('session.locked', (p) => seen.push(p));
    emit('session.locked', { reason: 'card_removed' });
    emit('session.locked', { reason: 'bogus' });
    emit('sync.state', { connection: 'online', pending: 0 });
    expect(seen).toEqual([{ reason: 'card_removed' }]);
  });
});
