import type { z } from 'zod';

/**
 * One method of the renderer ↔ main API (contract/api.ts): its input and output schemas. A
 * feature may declare its namespace's methods in its own contract module with `call` and add the
 * namespace to apiContract with one line (docs/adding-a-feature.md).
 */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
}
export const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): CallSpec<I, O> => ({ input, output });
