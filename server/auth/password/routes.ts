import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { API_VERSION, passwordLoginRoutes, validationDetails } from '#contract';
import { LOGIN_BODY_LIMIT } from '../../http/body-limits';
import { limitByAddress, type RateLimiter } from '../../http/rate-limit';
import { sendFailure, workstationOf } from '../routes';
import type { PasswordLoginService } from './service';

const INVALID = 'Ange användarnamn och lösenord, och sedan engångskoden.';

/**
 * POST /api/v1/auth/password/start and /verify (docs/login.md "Lösenord och engångskod"): the
 * per-address limit before the body is read, as on the card's login; the per-account limit and
 * the lockout inside the service.
 */
export function registerPasswordLoginRoutes(app: FastifyInstance, deps: { service: PasswordLoginService; limiter?: RateLimiter }): void {
  const byAddress = deps.limiter ? { onRequest: limitByAddress(deps.limiter, 'password') } : {};
  const route = <S extends z.ZodType>(path: string, schema: S, run: (body: z.infer<S>, workstation: string | undefined) => Promise<unknown>) =>
    app.post(path, { bodyLimit: LOGIN_BODY_LIMIT, ...byAddress, config: { contract: { body: schema } } }, async (request, reply) => {
      const parsed = schema.safeParse(request.body ?? {});
      if (!parsed.success) return reply.code(400).send({ error: { code: 'VALIDATION', message: INVALID, details: validationDetails(parsed.error) } });
      try {
        return reply.code(200).send(await run(parsed.data, workstationOf(request)));
      } catch (e) {
        return sendFailure(reply, e, request);
      }
    });
  route(passwordLoginRoutes.start.path, passwordLoginRoutes.start.body, (body, workstation) => deps.service.start(body, { workstation: body.workstation ?? workstation }));
  route(passwordLoginRoutes.verify.path, passwordLoginRoutes.verify.body, async (body, workstation) => ({
    ...(await deps.service.verify(body, { workstation: body.workstation ?? workstation })),
    apiVersion: API_VERSION,
  }));
}
