import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The Yubico validation protocol, version 2.0 (developers.yubico.com/yubikey-val/Validation_Protocol_V2.0):
 * GET <url>?id=<client id>&otp=<otp>&nonce=<16–40 random characters>&h=<signature>; the answer is
 * `key=value` lines, signed the same way: h = base64(HMAC-SHA1(base64-decoded API key, the other
 * pairs sorted by key and joined with '&')). An answer counts only when its signature verifies,
 * it echoes our OTP and nonce, and its status is OK — so a forged or replayed answer, or one for
 * another OTP, lets nobody in. REPLAYED_OTP (the service saw this OTP before) is refused.
 */
export interface YubicoConfig {
  /** e.g. https://api.yubico.com/wsapi/2.0/verify, or the organisation's own validation server. */
  url: string;
  clientId: string;
  /** The API key, base64 (as Yubico hands it out). */
  apiKey: string;
  timeoutMs?: number;
}

export type YubicoVerdict = { ok: true } | { ok: false; status: string };

export const signYubico = (params: Record<string, string>, apiKey: string): string =>
  createHmac('sha1', Buffer.from(apiKey, 'base64'))
    .update(
      Object.keys(params)
        .filter((k) => k !== 'h')
        .sort()
        .map((k) => `${k}=${params[k]}`)
        .join('&'),
    )
    .digest('base64');

export const parseYubicoAnswer = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

export async function verifyWithYubico(otp: string, config: YubicoConfig): Promise<YubicoVerdict> {
  const nonce = randomBytes(16).toString('hex');
  const params: Record<string, string> = { id: config.clientId, otp, nonce };
  const url = new URL(config.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  url.searchParams.set('h', signYubico(params, config.apiKey));
  let text: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(config.timeoutMs ?? 5000), redirect: 'error' });
    if (!res.ok) return { ok: false, status: `HTTP_${res.status}` };
    text = (await res.text()).slice(0, 4096);
  } catch {
    return { ok: false, status: 'UNREACHABLE' };
  }
  const answer = parseYubicoAnswer(text);
  const h = answer.h ?? '';
  const expected = Buffer.from(signYubico(answer, config.apiKey));
  if (Buffer.byteLength(h) !== expected.length || !timingSafeEqual(Buffer.from(h), expected)) return { ok: false, status: 'BAD_SIGNATURE' };
  if (answer.otp !== otp || answer.nonce !== nonce) return { ok: false, status: 'MISMATCH' };
  return answer.status === 'OK' ? { ok: true } : { ok: false, status: answer.status ?? 'NO_STATUS' };
}
