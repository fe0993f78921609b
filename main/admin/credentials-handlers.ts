import type { z } from 'zod';
import { credentialRoutes, type credentialsApi } from '#contract';
import { withId, type RouteSpec, type ServerClient } from '../server-client';

type Api = typeof credentialsApi;
type In<M extends keyof Api> = z.output<Api[M]['input']>;

/** The `credentials.*` handlers (main/app.ts): the server's credential routes with the session's token; nothing kept here. */
export function credentialsHandlers(deps: { server: ServerClient; token: () => string }) {
  const call = <S extends z.ZodType>(route: RouteSpec<S>, body?: unknown): Promise<z.infer<S>> =>
    deps.server.call(route, { token: deps.token(), ...(body === undefined ? {} : { body }) });
  return {
    list: () => call(credentialRoutes.list),
    setMethods: (input: In<'setMethods'>) => call(credentialRoutes.setMethods, input),
    setPassword: (input: In<'setPassword'>) => call(credentialRoutes.setPassword, input),
    unlock: (input: In<'unlock'>) => call(credentialRoutes.unlock, input),
    enrolYubikey: (input: In<'enrolYubikey'>) => call(credentialRoutes.enrolYubikey, input),
    revokeYubikey: ({ publicId }: In<'revokeYubikey'>) => call(withId(credentialRoutes.revokeYubikey, publicId), {}),
  };
}
