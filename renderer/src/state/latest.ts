import { useCallback, useRef } from 'react';

/**
 * Answers may come back out of order: the host answers calls concurrently, so a reload started
 * before a write (on the first of two `data.changed` events) can answer after the reload started
 * after it, and showed the older state for good (a correction missing beside its struck-through
 * original, a plan conflict without the other's draft — e2e under load). `latest(call, apply)`
 * applies the answer of the last call only; an earlier call's answer arriving later is dropped.
 */
export function useLatest(): <T>(call: Promise<T>, apply: (answer: T) => void) => Promise<void> {
  const seq = useRef(0);
  return useCallback(<T,>(call: Promise<T>, apply: (answer: T) => void) => {
    const mine = ++seq.current;
    return call.then((answer) => {
      if (mine === seq.current) apply(answer);
    });
  }, []);
}
