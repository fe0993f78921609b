import type { PasswordLoginOptions } from './index';

/**
 * The settings of password + one-time-code logins (docs/login.md "Så konfigurerar IT"):
 *   SMS_GATEWAY_URL   the gateway's send URL with its own credentials, e.g. Kannel's
 *                     http://sms.kommun.local:13013/cgi-bin/sendsms?username=omsorg&password=…;
 *                     `to` and `text` are added. Absent: no SMS codes.
 *   SMS_GATEWAY_FROM  the sender (`from`), when the gateway wants one.
 *   YUBICO_VALIDATION_URL, YUBICO_CLIENT_ID, YUBICO_API_KEY   together: the Yubico validation
 *                     service (protocol 2.0) for keys enrolled as 'yubico'. Absent: those keys
 *                     cannot log in (locally verified keys still can).
 *   PASSWORD_LOGIN_LOA the assurance level these sessions get (default 2; 1–3).
 * A malformed value stops the start with a message naming the setting (never its value: the URLs
 * and the key carry secrets).
 */
export function readPasswordLoginConfig(env: NodeJS.ProcessEnv): PasswordLoginOptions {
  const httpUrl = (name: string): string => {
    const value = env[name]!;
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new Error(`${name} must be an http(s) URL`);
    return value;
  };
  const yubicoSet = ['YUBICO_VALIDATION_URL', 'YUBICO_CLIENT_ID', 'YUBICO_API_KEY'].filter((n) => env[n]);
  if (yubicoSet.length !== 0 && yubicoSet.length !== 3) throw new Error('YUBICO_VALIDATION_URL, YUBICO_CLIENT_ID and YUBICO_API_KEY go together');
  if (env.YUBICO_API_KEY && !/^[A-Za-z0-9+/]+={0,2}$/.test(env.YUBICO_API_KEY)) throw new Error('YUBICO_API_KEY must be base64, as Yubico hands it out');
  const loa = env.PASSWORD_LOGIN_LOA ? Number(env.PASSWORD_LOGIN_LOA) : 2;
  if (!Number.isInteger(loa) || loa < 1 || loa > 3) throw new Error('PASSWORD_LOGIN_LOA must be 1, 2 or 3');
  return {
    ...(env.SMS_GATEWAY_URL ? { sms: { url: httpUrl('SMS_GATEWAY_URL'), ...(env.SMS_GATEWAY_FROM ? { from: env.SMS_GATEWAY_FROM } : {}) } } : {}),
    ...(yubicoSet.length === 3 ? { yubico: { url: httpUrl('YUBICO_VALIDATION_URL'), clientId: env.YUBICO_CLIENT_ID!, apiKey: env.YUBICO_API_KEY! } } : {}),
    loa,
  };
}
