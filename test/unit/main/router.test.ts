import { describe, expect, it, vi } from 'vitest';
import { AppFailure, type ApiHandlers } from '#contract';
import { createRouter } from '../../../main/router';
import { handlersWith } from '../../support/handlers';

const unit = { id: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c11', organisationId: '7f1c3c2e-2d0b-4f7e-9a51-0d6f0a4b5c12', name: 'Daglig verksamhet Väster', serviceType: 'daglig_verksamhet' as const, clientCount: 8 };

function handlers(overrides: Partial<ApiHandlers<unknown>['units']> = {}) {
  const list = vi.fn(async () => [unit]);
  const h: ApiHandlers<unknown> = handlersWith<unknown>({
    app: { info: async () => ({ name: 'x', version: '1', host: 'browser', serverUrl: 'http://127.0.0.1:1', lastCrashAt: null }) },
    units: { list, ...overrides },
  });
  return { h, list };
}

describe('the main router', () => {
  it('routes a valid call to its service and wraps the value', async () => {
    const { h, list } = handlers();
    const dispatch = createRouter(h, () => ({}));
    expect(await dispatch('units.list', {})).toEqual({ ok: true, value: [unit] });
    expect(list).toHaveBeenCalledOnce();
  });

  it('answers an invalid payload with VALIDATION and never reaches the service', async () => {
    const { h, list } = handlers();
    const dispatch = createRouter(h, () => ({}));
    const r = await dispatch('units.list', { unexpected: 'field' });
    expect(r.ok === false && r.error.code).toBe('VALIDATION');
    expect(list).not.toHaveBeenCalled();
  });

  it('answers an unknown method with UNKNOWN_METHOD, including prototype names', async () => {
    const dispatch = createRouter(handlers().h, () => ({}));
    for (const m of ['nope.list', 'units.constructor', '__proto__.x', 'units']) {
      const r = await dispatch(m, {});
      expect(r.ok === false && r.error.code).toBe('UNKNOWN_METHOD');
    }
  });

  it('passes a service AppFailure through as its code', async () => {
    const { h } = handlers({ list: async () => Promise.reject(new AppFailure('SERVER_UNREACHABLE', 'down')) });
    const r = await createRouter(h, () => ({}))('units.list', {});
    expect(r).toEqual({ ok: false, error: { code: 'SERVER_UNREACHABLE', message: 'down' } });
  });

  it('hides an unexpected exception as INTERNAL and logs it without the input', async () => {
    const errors: object[] = [];
    const { h } = handlers({ list: async () => Promise.reject(new Error('boom')) });
    const r = await createRouter(h, () => ({}), { error: (o) => errors.push(o) })('units.list', {});
    expect(r.ok === false && r.error.code).toBe('INTERNAL');
    expect(errors).toHaveLength(1);
  });

  it('refuses a service output that breaks the contract', async () => {
    const { h } = handlers({ list: async () => [{ ...unit, clientCount: -1 }] });
    const r = await createRouter(h, () => ({}))('units.list', {});
    expect(r.ok === false && r.error.code).toBe('INTERNAL');
  });
});
