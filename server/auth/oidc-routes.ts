import type { FastifyInstance } from 'fastify';
import { API_VERSION, OidcFinishRequest, OidcStartRequest, oidcRoutes, validationDetails, type LoginMethodsResponse } from '#contract';
import { LOGIN_BODY_LIMIT } from '../http/body-limits';
import { limitByAddress, type RateLimiter } from '../http/rate-limit';
import { assuranceTable, type AssuranceLevels } from './assurance';
import type { OidcLogin } from './oidc';
import { sendAuthFailure, workstationOf } from './routes';

/**
 * GET /api/v1/auth/methods (which logins this server offers) and, with an identity provider
 * configured, POST /api/v1/auth/oidc/start | finish (docs/login.md, "Identity provider").
 */
export function registerOidcRoutes(app: FastifyInstance, deps: { oidc?: OidcLogin; card: boolean; limiter?: RateLimiter; assurance: AssuranceLevels }): void {
  const { oidc, limiter } = deps;
  const byAddress = (route: string) => (limiter ? { onRequest: limitByAddress(limiter, route) } : {});
  const levels = oidc ? [...new Set(Object.values(oidc.settings.acrLoa))].filter((l) => l >= oidc.settings.minLoa).sort() : [];

  app.get(oidcRoutes.methods.path, async () => {
    const answer: LoginMethodsResponse = { card: deps.card, oidc: oidc ? { name: oidc.settings.name, issuer: oidc.settings.issuer, levels } : null, assurance: assuranceTable(deps.assurance) };
    return answer;
  });
  if (!oidc) return;

  app.post(oidcRoutes.start.path, { bodyLimit: LOGIN_BODY_LIMIT, ...byAddress('challenge'), config: { contract: { body: OidcStartRequest } } }, async (request, reply) => {
    const parsed = OidcStartRequest.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { code: 'VALIDATION', message: 'Ogiltig begäran om inloggning via e-legitimation.', details: validationDetails(parsed.error) } });
    try {
      return reply.code(200).send(await oidc.start(parsed.data));
    } catch (e) {
      return sendAuthFailure(reply, e, request);
    }
  });

  app.post(oidcRoutes.finish.path, { bodyLimit: LOGIN_BODY_LIMIT, ...byAddress('login'), config: { contract: { body: OidcFinishRequest } } }, async (request, reply) => {
    const parsed = OidcFinishRequest.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { code: 'VALIDATION', message: 'Ogiltigt svar från e-legitimationen.', details: validationDetails(parsed.error) } });
    try {
      const session = await oidc.finish({ ...parsed.data, ...(parsed.data.workstation ?? workstationOf(request) ? { workstation: parsed.data.workstation ?? workstationOf(request) } : {}) });
      return reply.code(200).send({ ...session, apiVersion: API_VERSION });
    } catch (e) {
      return sendAuthFailure(reply, e, request);
    }
  });
}
