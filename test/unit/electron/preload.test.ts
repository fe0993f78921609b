import { describe, expect, it, vi } from 'vitest';
import { apiContract, IPC_EVENT_CHANNEL, ipcChannel, methodNames, type WorkstationBridge } from '#contract';
import type { FakeElectron } from '../../support/fake-electron';

const holder = vi.hoisted(() => ({ fake: null as FakeElectron | null }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('../../support/fake-electron');
  holder.fake = createFakeElectron();
  return holder.fake.electron;
});

async function loadPreload() {
  await import('../../../preload/index');
  const fake = holder.fake!;
  return { fake, bridge: fake.exposed.get('omsorg') as WorkstationBridge };
}

const unit = { id: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c11', organisationId: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c12', name: 'Hemtjänst Norr', serviceType: 'hemtjanst', clientCount: 2 };

describe('the preload', () => {
  it('exposes exactly one key, omsorg, with api and events only', async () => {
    const { fake, bridge } = await loadPreload();
    expect([...fake.exposed.keys()]).toEqual(['omsorg']);
    expect(Object.keys(bridge).sort()).toEqual(['api', 'events']);
  });

  it('never exposes ipcRenderer or anything of it', async () => {
    const { fake, bridge } = await loadPreload();
    const seen = new Set<unknown>();
    const walk = (v: unknown): void => {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) return;
      seen.add(v);
      expect(v).not.toBe(fake.electron.ipcRenderer);
      expect(v).not.toBe(fake.electron.ipcRenderer.invoke);
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
    };
    walk(bridge);
  });

  it('has every contract method, as plain functions contextBridge can copy', async () => {
    const { bridge } = await loadPreload();
    const api = bridge.api as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(api).sort()).toEqual(Object.keys(apiContract).sort());
    for (const method of methodNames()) {
      const [ns, m] = method.split('.') as [string, string];
      expect(typeof api[ns]?.[m], method).toBe('function');
    }
    expect(Object.getPrototypeOf(api)).toBe(Object.prototype);
  });

  it('invokes the method channel with the input and checks the reply against the contract', async () => {
    const { fake, bridge } = await loadPreload();
    fake.electron.ipcRenderer.reply = () => ({ ok: true, value: [unit] });
    const result = await bridge.api.units.list({});
    expect(fake.invoked.at(-1)).toEqual({ channel: ipcChannel('units.list'), args: [{}] });
    expect(result).toEqual({ ok: true, value: [unit] });

    fake.electron.ipcRenderer.reply = () => ({ ok: true, value: [{ nonsense: true }] });
    expect(await bridge.api.units.list({})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });

    fake.electron.ipcRenderer.reply = () => ({ ok: false, error: { code: 'FORBIDDEN', message: 'nej' } });
    expect(await bridge.api.app.info({})).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'nej' } });
  });

  it('delivers events by name with a valid payload, without the IPC event object, and unsubscribes', async () => {
    const { fake, bridge } = await loadPreload();
    const ipc = fake.electron.ipcRenderer;
    const got: unknown[] = [];
    const off = bridge.events.on('sync.status', (payload) => got.push(payload));
    expect(ipc.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);

    const ipcEvent = { sender: ipc };
    ipc.emit(IPC_EVENT_CHANNEL, ipcEvent, 'sync.status', { connection: 'offline', pending: 2, lastSyncAt: null, refusals: [] });
    ipc.emit(IPC_EVENT_CHANNEL, ipcEvent, 'data.changed', { kinds: ['units'] });
    ipc.emit(IPC_EVENT_CHANNEL, ipcEvent, 'sync.status', { connection: 'bogus' });
    expect(got).toEqual([{ connection: 'offline', pending: 2, lastSyncAt: null, refusals: [] }]);

    off();
    expect(ipc.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
  });
});
