import type { FastifyInstance } from 'fastify';
import { API_VERSION, AppFailure, OidcFinishRequest, OidcStartRequest, oidcRoutes, validationDetails, type LoginMethodsResponse } from '#contract';
import { LOGIN_BODY_LIMIT } from '../http/body-limits';
import { limitByAddress, type RateLimiter } from '../http/rate-limit';
import { assuranceTable, type AssuranceLevels } from './assurance';
import type { OidcLogin } from './oidc';
import { sendAuthFailure, workstationOf } from './routes';

/**
 * GET /api/v1/auth/methods (which logins this server offers) and, with an identity provider
 * configured, POST /api/v1/auth/oidc/start | finish, and the IdP's back-channel logout
 * POST /api/v1/auth/oidc/backchannel-logout (docs/login.md, "Identity provider").
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

  // The IdP's back-channel logout: application/x-www-form-urlencoded `logout_token=<JWT>`, from the
  // IdP's server (no session, no workstation). 200 when valid (also when no session rested on it),
  // 400 otherwise (Back-Channel Logout 1.0, 2.8); never cached.
  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: LOGIN_BODY_LIMIT }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.post(oidcRoutes.backchannelLogout.path, { bodyLimit: LOGIN_BODY_LIMIT, ...byAddress('login') }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const body = request.body as Record<string, unknown> | undefined;
      const token = typeof body?.logout_token === 'string' ? body.logout_token : '';
      if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) || token.length > 8000) {
        return reply.code(400).send({ error: { code: 'VALIDATION', message: 'Utloggningen från e-legitimationen saknar en giltig logout_token.', details: { reason: 'NO_TOKEN' } } });
      }
      try {
        return reply.code(200).send(await oidc.backchannelLogout(token));
      } catch (e) {
        if (e instanceof AppFailure && e.code === 'VALIDATION') {
          return reply.code(400).send({ error: { code: 'VALIDATION', message: 'Utloggningen från e-legitimationen godtogs inte.', details: e.details } });
        }
        return sendAuthFailure(reply, e, request);
      }
    });
  });
}
