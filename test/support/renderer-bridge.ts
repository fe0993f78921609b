/**
 * The renderer's edge, for unit tests of a screen's actions module (renderer/src/screens/<feature>/
 * <feature>-actions.ts): a stand-in for `renderer/src/bridge` that records every call
 * (`ns.method` and its input) and answers what the test queued for that method, in order; an
 * unqueued call fails the test. `emit` delivers an event to the subscribed listeners.
 *
 *   vi.mock('../../../renderer/src/bridge', () => import('../../support/renderer-bridge'));
 */
import type { Result } from '#contract';

export interface Call {
  method: string;
  input: unknown;
}

export const calls: Call[] = [];
const answers = new Map<string, Result<unknown>[]>();
const listeners = new Set<(name: string, payload: unknown) => void>();

/** Queues the answers of `method` (`'plans.saveDraft'`), one per call. */
export function answer(method: string, ...results: Result<unknown>[]): void {
  answers.set(method, [...(answers.get(method) ?? []), ...results]);
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const refused = (code: 'SERVER_UNREACHABLE' | 'CONFLICT' | 'NOT_FOUND' | 'VALIDATION', message = 'nej'): Result<never> => ({ ok: false, error: { code, message } });

/** The calls of one method, their inputs in order. */
export const inputsOf = (method: string) => calls.filter((c) => c.method === method).map((c) => c.input);

export function reset(): void {
  calls.length = 0;
  answers.clear();
  listeners.clear();
}

const namespace = (ns: string) =>
  new Proxy(
    {},
    {
      get: (_, m: string) => async (input: unknown) => {
        const method = `${ns}.${m}`;
        calls.push({ method, input });
        const next = answers.get(method)?.shift();
        if (!next) throw new Error(`no answer queued for ${method}`);
        return next;
      },
    },
  );

export const api = new Proxy({}, { get: (_, ns: string) => namespace(ns) });

export const events = {
  on(name: string, listener: (payload: unknown) => void): () => void {
    const l = (n: string, payload: unknown) => n === name && listener(payload);
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function emit(name: string, payload: unknown): void {
  for (const l of [...listeners]) l(name, payload);
}

export const onHostLost = () => () => undefined;
