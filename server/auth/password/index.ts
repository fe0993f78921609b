import type { FastifyInstance } from 'fastify';
import type { Loa } from '#contract';
import type { AccessLog } from '../../audit/access-events';
import type { Db } from '../../db/types';
import type { RateLimiter } from '../../http/rate-limit';
import type { AuthService } from '../service';
import { registerPasswordLoginRoutes } from './routes';
import { createPasswordLoginService } from './service';
import { httpSmsSender, type SmsGatewayConfig, type SmsSender } from './sms-gateway';
import type { YubicoConfig } from './yubico-client';

export { registerCredentialRoutes } from './admin-routes';
export { defaultMethodsFor, setOrganisationMethods } from './store';

/** Password + one-time code (docs/login.md "Lösenord och engångskod"): the gateways it uses. */
export interface PasswordLoginOptions {
  /** The SMS gateway (SMS_GATEWAY_URL) or a sender of one's own; absent: SMS codes cannot be sent. */
  sms?: SmsGatewayConfig | SmsSender;
  /** The Yubico validation service (YUBICO_VALIDATION_URL, YUBICO_CLIENT_ID, YUBICO_API_KEY). */
  yubico?: YubicoConfig;
  /** The assurance level a password + code session gets (PASSWORD_LOGIN_LOA); default 2. */
  loa?: Loa;
}

export function registerPasswordLogin(
  app: FastifyInstance,
  deps: { db: Db; auth: AuthService; accessLog: AccessLog; limiter?: RateLimiter; now?: () => Date; options?: PasswordLoginOptions; log?: (obj: Record<string, unknown>, msg: string) => void },
): void {
  const sms = deps.options?.sms;
  const limiter = deps.limiter;
  const service = createPasswordLoginService({
    db: deps.db,
    openSession: deps.auth.openSession,
    accessLog: deps.accessLog,
    ...(sms ? { sendSms: typeof sms === 'function' ? sms : httpSmsSender(sms) } : {}),
    ...(deps.options?.yubico ? { yubico: deps.options.yubico } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.options?.loa ? { loa: deps.options.loa } : {}),
    ...(limiter
      ? { limitAccount: (username: string) => limiter.check(`account:${username}`, limiter.perCard, () => deps.log?.({ limit: 'account', windowMs: limiter.windowMs }, 'rate limit reached')) }
      : {}),
  });
  registerPasswordLoginRoutes(app, { service, ...(limiter ? { limiter } : {}) });
}
