import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/types';
import type { RateLimiter } from '../../http/rate-limit';
import type { AccessLog } from '../access-log';
import { SqlSessionStore } from '../sessions';
import { SqlStaffDirectory } from '../staff';
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
}

export function registerPasswordLogin(
  app: FastifyInstance,
  deps: { db: Db; accessLog: AccessLog; limiter?: RateLimiter; now?: () => Date; sessionTtlMs?: number; options?: PasswordLoginOptions; log?: (obj: Record<string, unknown>, msg: string) => void },
): void {
  const sms = deps.options?.sms;
  const limiter = deps.limiter;
  const service = createPasswordLoginService({
    db: deps.db,
    sessions: new SqlSessionStore(deps.db),
    staff: new SqlStaffDirectory(deps.db),
    accessLog: deps.accessLog,
    ...(sms ? { sendSms: typeof sms === 'function' ? sms : httpSmsSender(sms) } : {}),
    ...(deps.options?.yubico ? { yubico: deps.options.yubico } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sessionTtlMs !== undefined ? { sessionTtlMs: deps.sessionTtlMs } : {}),
    ...(limiter
      ? { limitAccount: (username: string) => limiter.check(`account:${username}`, limiter.perCard, () => deps.log?.({ limit: 'account', windowMs: limiter.windowMs }, 'rate limit reached')) }
      : {}),
  });
  registerPasswordLoginRoutes(app, { service, ...(limiter ? { limiter } : {}) });
}
