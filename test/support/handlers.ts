import { AppFailure, apiContract, type ApiHandlers } from '#contract';

type PartialHandlers<Ctx> = { [N in keyof ApiHandlers<Ctx>]?: Partial<ApiHandlers<Ctx>[N]> };

/** Handlers for router and host tests: the given ones, and every other method failing loudly. */
export function handlersWith<Ctx>(given: PartialHandlers<Ctx>): ApiHandlers<Ctx> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [ns, methods] of Object.entries(apiContract)) {
    out[ns] = {};
    for (const m of Object.keys(methods)) {
      const g = (given as Record<string, Record<string, unknown> | undefined>)[ns]?.[m];
      out[ns]![m] = g ?? (async () => Promise.reject(new AppFailure('INTERNAL', `${ns}.${m} is not part of this test`)));
    }
  }
  return out as unknown as ApiHandlers<Ctx>;
}
