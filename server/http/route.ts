import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, validationDetails } from '#contract';

/**
 * Declares a GET route from its contract entry (contract/server-api.ts `serverRoutes`): the query
 * is parsed with `query` (400 VALIDATION on failure) and the handler's answer is parsed with the
 * contract's response schema before it is sent, so the server cannot answer off-contract.
 */
/**
 * The session check (`preHandler` in the options below, e.g. requireSession) runs as the route's
 * onRequest hook: before the body is read and parsed, so an anonymous client costs no parsing
 * (server/http/body-limits.ts).
 */
const asOnRequest = (hook: preHandlerAsyncHookHandler): onRequestAsyncHookHandler => hook as unknown as onRequestAsyncHookHandler;

export interface ContractRoute<R extends z.ZodType> {
  method: 'GET';
  path: string;
  response: R;
}

export function getRoute<R extends z.ZodType, Q extends z.ZodType = z.ZodObject<Record<string, never>>>(
  app: FastifyInstance,
  route: ContractRoute<R>,
  options: { query?: Q; /** e.g. requireSession: runs before the query is parsed. */ preHandler?: preHandlerAsyncHookHandler },
  handler: (input: { query: z.infer<Q>; request: FastifyRequest; reply: FastifyReply }) => Promise<z.input<R>>,
): void {
  const querySchema = options.query ?? z.strictObject({});
  const config = { contract: { query: querySchema } };
  app.get(route.path, options.preHandler ? { onRequest: asOnRequest(options.preHandler), config } : { config }, async (request, reply) => {
    const query = querySchema.parse(request.query ?? {}) as z.infer<Q>;
    const answer = await handler({ query, request, reply });
    const checked = route.response.safeParse(answer);
    if (!checked.success) {
      // A bug on our side: log the paths that failed (never the values) and answer 500.
      request.log.error({ issues: checked.error.issues.map((i) => i.path.join('.')) }, 'response off contract');
      throw new AppFailure('INTERNAL', 'Response did not match the contract');
    }
    return reply.send(checked.data);
  });
}

/** A POST route from its contract entry: the body parsed with `body` (400 VALIDATION), the answer with `response`. */
export interface ContractPostRoute<B extends z.ZodType, R extends z.ZodType> {
  method: 'POST';
  path: string;
  body: B;
  response: R;
}

export function postRoute<B extends z.ZodType, R extends z.ZodType>(
  app: FastifyInstance,
  route: ContractPostRoute<B, R>,
  options: {
    preHandler?: preHandlerAsyncHookHandler;
    /** The Swedish message of a 400 for a body off the contract (default: the generic one). */
    invalid?: string;
    /** A larger body than the server's default (a PDF attachment). */
    bodyLimit?: number;
  },
  handler: (input: { body: z.infer<B>; request: FastifyRequest; reply: FastifyReply }) => Promise<z.input<R>>,
): void {
  const config = { contract: { body: route.body } };
  const limit = options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit };
  app.post(route.path, options.preHandler ? { onRequest: asOnRequest(options.preHandler), config, ...limit } : { config, ...limit }, async (request, reply) => {
    const parsed = route.body.safeParse(request.body ?? {});
    if (!parsed.success) {
      if (options.invalid) throw new AppFailure('VALIDATION', options.invalid, validationDetails(parsed.error));
      throw parsed.error;
    }
    const body = parsed.data as z.infer<B>;
    const answer = await handler({ body, request, reply });
    const checked = route.response.safeParse(answer);
    if (!checked.success) {
      request.log.error({ issues: checked.error.issues.map((i) => i.path.join('.')) }, 'response off contract');
      throw new AppFailure('INTERNAL', 'Response did not match the contract');
    }
    return reply.send(checked.data);
  });
}

/**
 * A POST route whose answer is JSON text already, built by PostgreSQL (the sync pull: thousands
 * of records a page, see server/sync/records.ts). The body is parsed as in postRoute; the answer
 * is sent as it is, not parsed back into objects to be checked, which would cost the very work
 * the text saves. Its shape is the contract's all the same: the route's tests parse every answer
 * with `route.response`, and so does every workstation before it uses a byte of it.
 */
export function postJsonTextRoute<B extends z.ZodType, R extends z.ZodType>(
  app: FastifyInstance,
  route: ContractPostRoute<B, R>,
  options: { preHandler?: preHandlerAsyncHookHandler },
  handler: (input: { body: z.infer<B>; request: FastifyRequest; reply: FastifyReply }) => Promise<string>,
): void {
  const config = { contract: { body: route.body } };
  app.post(route.path, options.preHandler ? { onRequest: asOnRequest(options.preHandler), config } : { config }, async (request, reply) => {
    const body = route.body.parse(request.body ?? {}) as z.infer<B>;
    const json = await handler({ body, request, reply });
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
