import type { z } from 'zod';
import { incidentRoutes, type incidentsApi } from '#contract';
import { withId, type RouteSpec, type ServerClient } from '../server-client';

type Api = typeof incidentsApi;
type In<M extends keyof Api> = z.output<Api[M]['input']>;

export interface IncidentDeps {
  server: ServerClient;
  token: () => string;
}

/**
 * The `incidents.*` handlers (docs/incidents.md): each calls the server route of the same name
 * with the session's token. An online feature: nothing is kept on the workstation, and offline a
 * call answers SERVER_UNREACHABLE, which the screen explains.
 */
export function incidentsHandlers(deps: IncidentDeps) {
  const call = <S extends z.ZodType>(route: RouteSpec<S>, body?: unknown): Promise<z.infer<S>> =>
    deps.server.call(route, { token: deps.token(), ...(body === undefined ? {} : { body }) });
  return {
    report: (input: In<'report'>) => call(incidentRoutes.report, input),
    list: () => call(incidentRoutes.list),
    get: ({ id }: In<'get'>) => call(withId(incidentRoutes.get, id)),
    municipality: ({ id, ...report }: In<'municipality'>) => call(withId(incidentRoutes.municipality, id), report),
    close: ({ id, ...body }: In<'close'>) => call(withId(incidentRoutes.close, id), body),
  };
}
