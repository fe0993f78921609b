import type { z } from 'zod';
import { supportRoutes, type supportApi } from '#contract';
import type { ServerClient } from '../server-client';

type In<M extends keyof typeof supportApi> = z.output<(typeof supportApi)[M]['input']>;

/**
 * The `support.*` handlers (main/app.ts): the server's support routes with the session's token.
 * The server decides who may (superuser or administrator); nothing is kept here.
 */
export function supportHandlers(deps: { server: ServerClient; token: () => string }) {
  return {
    colleagues: () => deps.server.call(supportRoutes.colleagues, { token: deps.token() }),
    message: ({ staffId, subject, text, requestId }: In<'message'>) =>
      deps.server.call({ ...supportRoutes.message, path: supportRoutes.message.path.replace(':id', encodeURIComponent(staffId)) }, { token: deps.token(), body: { subject, text, ...(requestId ? { requestId } : {}) } }),
  };
}
