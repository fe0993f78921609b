import { z } from 'zod';
import { Unit } from './domain';

/**
 * The one contract between renderer and main. Everything that crosses that boundary is derived
 * from these two objects: the preload bridge, the browser host's WebSocket, the main router's
 * validation and the renderer's client. A method's channel name is `namespace.method`.
 */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
}
const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): CallSpec<I, O> => ({ input, output });
const noInput = z.object({}).strict();

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which host runs the services: the Electron shell or the browser host. */
  host: z.enum(['electron', 'browser']),
  serverUrl: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const apiContract = {
  app: {
    info: call(noInput, AppInfo),
  },
  units: {
    /** The units of the provider organisation, from the server. */
    list: call(noInput, z.array(Unit)),
  },
} as const;

/** Events main pushes to the renderer. */
export const eventContract = {
  'session.locked': z.object({ reason: z.enum(['card_removed', 'idle', 'logout', 'other_card']) }),
  'sync.state': z.object({
    connection: z.enum(['online', 'offline', 'connecting']),
    pending: z.number().int().nonnegative(),
  }),
  'data.changed': z.object({ kinds: z.array(z.string()) }),
} as const;

type Api = typeof apiContract;
type Spec<N extends keyof Api, M extends keyof Api[N]> = Api[N][M] extends CallSpec<infer I, infer O> ? { I: I; O: O } : never;

export type MethodName = { [N in keyof Api]: `${N & string}.${keyof Api[N] & string}` }[keyof Api];
export type EventName = keyof typeof eventContract;
export type EventPayload<E extends EventName> = z.infer<(typeof eventContract)[E]>;

/** What a renderer sees: `api.units.list({})` → Promise<Result<Unit[]>>. */
export type ApiClient = {
  [N in keyof Api]: {
    [M in keyof Api[N]]: (input: z.input<Spec<N, M>['I']>) => Promise<import('./result').Result<z.output<Spec<N, M>['O']>>>;
  };
};

/** What main implements; the router validates input before and output after. */
export type ApiHandlers<Ctx> = {
  [N in keyof Api]: {
    [M in keyof Api[N]]: (input: z.output<Spec<N, M>['I']>, ctx: Ctx) => Promise<z.input<Spec<N, M>['O']>>;
  };
};

export function methodNames(): MethodName[] {
  const names: string[] = [];
  for (const [ns, methods] of Object.entries(apiContract)) {
    for (const m of Object.keys(methods)) names.push(`${ns}.${m}`);
  }
  return names as MethodName[];
}

export function lookupMethod(name: string): CallSpec | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const ns = name.slice(0, dot);
  const m = name.slice(dot + 1);
  if (!Object.hasOwn(apiContract, ns)) return undefined;
  const methods = apiContract[ns as keyof Api] as Record<string, CallSpec>;
  return Object.hasOwn(methods, m) ? methods[m] : undefined;
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(eventContract, name);
}
