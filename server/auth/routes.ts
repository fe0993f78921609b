import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { officerRoutes } from '#contract';
import { API_VERSION, API_VERSION_HEADER, LoginRequest, authRoutes, statedApiVersion } from '#contract';
import { AppFailure, validationDetails, type AssuredFunction, type ErrorCode } from '#contract';
import { EMPTY_BODY_LIMIT, LOGIN_BODY_LIMIT } from '../http/body-limits';
import { limitByAddress, type RateLimiter } from '../http/rate-limit';
import { anonymousFailureCounter } from './anonymous-failures';
import { DEFAULT_ASSURANCE, functionOf, type AssuranceLevels } from './assurance';
import { createAuthService, type AuthDeps, type AuthService, type AuthSession } from './service';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireSession. */
    authSession: AuthSession | null;
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  NONCE_INVALID: 401,
  CERT_UNTRUSTED: 401,
  CERT_EXPIRED: 401,
  CERT_NOT_YET_VALID: 401,
  CERT_WRONG_USAGE: 401,
  CERT_WRONG_POLICY: 401,
  CERT_REVOKED: 401,
  CERT_REVOCATION_UNKNOWN: 401,
  SIGNATURE_INVALID: 401,
  UNKNOWN_CARD_HOLDER: 403,
  FORBIDDEN: 403,
  NO_ACTIVE_PERMISSION: 403,
  RATE_LIMITED: 429,
  IDP_LOGIN_FAILED: 401,
  IDP_LOA_REFUSED: 403,
  IDP_UNKNOWN_PERSON: 403,
  LOA_TOO_LOW: 403,
  // The identity provider could not be reached (discovery, JWKS, token endpoint).
  SERVER_UNREACHABLE: 502,
  CREDENTIALS_INVALID: 401,
  OTP_INVALID: 401,
  ACCOUNT_LOCKED: 403,
  LOGIN_METHOD_NOT_ALLOWED: 403,
  SMS_NOT_SENT: 503,
};

/** An auth route's refusal: its status and `{ error: { code, message, details? } }` (details only for the IdP's reason). */
export const sendAuthFailure = (reply: FastifyReply, e: unknown, request: FastifyRequest): FastifyReply => sendFailure(reply, e, request);

export function sendFailure(reply: FastifyReply, e: unknown, request: FastifyRequest): FastifyReply {
  if (e instanceof AppFailure) {
    const status = STATUS[e.code] ?? 500;
    if (status >= 500) request.log.error({ err: e }, 'auth failed');
    // A revocation refusal comes only after a verified signature: its reason is worth a line (never empty).
    if (e.code === 'CERT_REVOKED' || e.code === 'CERT_REVOCATION_UNKNOWN') request.log.warn({ code: e.code, reason: e.message || e.code }, 'login or renewal refused: revocation');
    const retryAfterS = e.details?.retryAfterS;
    if (typeof retryAfterS === 'number') void reply.header('retry-after', String(retryAfterS));
    const reason = e.details?.reason;
    return reply.code(status).send({ error: { code: e.code, message: e.message, ...(typeof reason === 'string' && e.code.startsWith('IDP_') ? { details: { reason } } : {}) } });
  }
  request.log.error({ err: e }, 'auth failed');
  return reply.code(500).send({ error: { code: 'INTERNAL', message: 'Internal server error' } });
}

/** `Authorization: Bearer <token>`; anything else is no token. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer ([A-Za-z0-9_-]{43,128})$/.exec(h) : null;
  return m?.[1];
}

/** The `X-Workstation` label, when it is a harmless one. */
export const workstationOf = (request: FastifyRequest): string | undefined => {
  const w = request.headers['x-workstation'];
  return typeof w === 'string' && /^[\w .:-]{1,100}$/.test(w) ? w : undefined;
};

/**
 * A preHandler for every route that needs a logged-in user: 401 without a live session, 403
 * LOA_TOO_LOW when the session's assurance level is below the route's function's
 * (server/auth/assurance.ts) — with a Swedish message that says what is closed and how to get in.
 */
export function createRequireSession(service: AuthService, levels: AssuranceLevels = DEFAULT_ASSURANCE): preHandlerAsyncHookHandler {
  return async function requireSession(request, reply) {
    try {
      const { tokenHash: _tokenHash, ...session } = await service.authenticate(bearerToken(request));
      const fn = functionOf(request.method, request.routeOptions.url ?? request.url);
      if (session.loa < levels[fn]) {
        return reply.code(403).send({
          error: {
            code: 'LOA_TOO_LOW',
            message: `${FUNCTION_NAME_SV[fn]} kräver tillitsnivå ${levels[fn]}; din inloggning har nivå ${session.loa}. Logga in med SITHS-kortet eller med e-legitimation på tillitsnivå ${levels[fn]}.`,
            details: { function: fn, needed: levels[fn], loa: session.loa },
          },
        });
      }
      request.authSession = session;
    } catch (e) {
      return sendFailure(reply, e, request);
    }
  };
}

/** The functions' Swedish names, for the refusal (the renderer has its own, renderer/src/i18n/sv.ts). */
const FUNCTION_NAME_SV: Record<AssuredFunction, string> = {
  client_data: 'Brukaruppgifter',
  administration: 'Administrationen',
  notices: 'Anslagstavlan',
  messages: 'Meddelanden',
  own_settings: 'Dina egna inställningar',
};

/**
 * POST /api/v1/auth/challenge | login | renew | logout on `app`. Returns the service and the
 * requireSession preHandler for the other routes.
 */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: (AuthDeps | { service: AuthService }) & {
    limiter?: RateLimiter;
    /** The API version a workstation stated at login (undefined: a header that is no version). */
    onWorkstationVersion?: (version: number | undefined, request: FastifyRequest) => void;
    log?: (obj: Record<string, unknown>, msg: string) => void;
    /** The level each function needs (server/auth/assurance.ts); default DEFAULT_ASSURANCE. */
    assurance?: AssuranceLevels;
  },
): { service: AuthService; requireSession: preHandlerAsyncHookHandler } {
  const limiter = deps.limiter;
  // Per address before the body is read; per card only once the login's signature verified
  // (inside the service: a garbage login carrying someone's public certificate does not count).
  const service =
    'service' in deps
      ? deps.service
      : createAuthService({
          ...deps,
          ...(limiter
            ? {
                limitCard: (certSha256: string) =>
                  limiter.check(`card:${certSha256}`, limiter.perCard, () => deps.log?.({ limit: 'card', windowMs: limiter.windowMs }, 'rate limit reached')),
                anonymousFailure: anonymousFailureCounter(limiter),
              }
            : {}),
        });
  const byAddress = (route: string) => (limiter ? { onRequest: limitByAddress(limiter, route) } : {});
  const requireSession = createRequireSession(service, deps.assurance);
  if (!app.hasRequestDecorator('authSession')) app.decorateRequest('authSession', null);

  app.post(authRoutes.challenge.path, { bodyLimit: EMPTY_BODY_LIMIT, ...byAddress('challenge') }, async (request, reply) => {
    try {
      return reply.code(200).send(await service.challenge());
    } catch (e) {
      return sendFailure(reply, e, request);
    }
  });

  /** A login route: the card-signed token validated, then the session for `audience` (or the refusal). */
  const loginRoute = (path: string, audience: 'workstation' | 'officer') =>
    app.post(path, { bodyLimit: LOGIN_BODY_LIMIT, ...byAddress('login'), config: { contract: { body: LoginRequest } } }, async (request, reply) => {
      const parsed = LoginRequest.safeParse(request.body);
      if (!parsed.success) {
        return reply.code(400).send({ error: { code: 'VALIDATION', message: 'Invalid login token', details: validationDetails(parsed.error) } });
      }
      try {
        const workstation = parsed.data.workstation ?? workstationOf(request);
        if (audience === 'workstation') {
          const session = await service.login(parsed.data, { workstation });
          deps.onWorkstationVersion?.(statedApiVersion(request.headers[API_VERSION_HEADER]), request);
          return reply.code(200).send({ ...session, apiVersion: API_VERSION });
        }
        const { token, expiresAt, user } = await service.login(parsed.data, { workstation, audience });
        return reply.code(200).send({ token, expiresAt, user });
      } catch (e) {
        return sendFailure(reply, e, request);
      }
    });
  loginRoute(authRoutes.login.path, 'workstation');
  // The case officer's login (docs/assignments.md): the same token, role case_officer, no unit permission needed.
  loginRoute(officerRoutes.login.path, 'officer');

  app.post(authRoutes.renew.path, { bodyLimit: EMPTY_BODY_LIMIT }, async (request, reply) => {
    try {
      return reply.code(200).send(await service.renew(bearerToken(request), { workstation: workstationOf(request) }));
    } catch (e) {
      return sendFailure(reply, e, request);
    }
  });

  app.post(authRoutes.logout.path, { bodyLimit: EMPTY_BODY_LIMIT }, async (request, reply) => {
    try {
      await service.logout(bearerToken(request), { workstation: workstationOf(request) });
      return reply.code(200).send({ ok: true });
    } catch (e) {
      return sendFailure(reply, e, request);
    }
  });

  return { service, requireSession };
}
