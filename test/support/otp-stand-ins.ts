/**
 * Local stand-ins for the two services a password login talks to (issue 29), on 127.0.0.1:
 * - an SMS gateway that takes Kannel's sendsms form (GET ?to=&text=) and records what it was asked
 *   to send (or answers a chosen status, to test a gateway that fails);
 * - a Yubico validation server (protocol 2.0): checks the request's HMAC-SHA1 signature, decrypts
 *   the OTP with the key's AES secret, refuses a counter not beyond the last (REPLAYED_OTP), and
 *   signs its answer — or signs it with a wrong key, to test that a forged answer is refused.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptOtp } from '../../server/auth/password/yubikey-otp';

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export interface SmsGatewayStandIn {
  url: string;
  sent: { to: string; text: string; query: string }[];
  /** The status the next requests get (default 202, as Kannel's "Accepted for delivery"). */
  status: number;
  close(): Promise<void>;
}

export async function startSmsGateway(): Promise<SmsGatewayStandIn> {
  const g: SmsGatewayStandIn = { url: '', sent: [], status: 202, close: async () => undefined };
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/cgi-bin/sendsms' || u.searchParams.get('username') !== 'omsorg' || u.searchParams.get('password') !== 'hemligt') {
      res.writeHead(403).end('Authorization failed for sendsms');
      return;
    }
    if (g.status === 202) g.sent.push({ to: u.searchParams.get('to') ?? '', text: u.searchParams.get('text') ?? '', query: u.search });
    res.writeHead(g.status, { 'content-type': 'text/plain' }).end(g.status === 202 ? '0: Accepted for delivery' : 'error');
  });
  g.url = `${await listen(server)}/cgi-bin/sendsms?username=omsorg&password=hemligt`;
  g.close = () => close(server);
  return g;
}

export interface YubicoStandIn {
  url: string;
  clientId: string;
  apiKey: string;
  /** Keys it knows: public id → AES key (hex). */
  keys: Map<string, string>;
  /** Sign answers with this key instead (a forger who does not hold the API key). */
  forgeWith?: string;
  requests: number;
  close(): Promise<void>;
}

const sign = (params: Record<string, string>, apiKey: string) =>
  createHmac('sha1', Buffer.from(apiKey, 'base64'))
    .update(Object.keys(params).filter((k) => k !== 'h').sort().map((k) => `${k}=${params[k]}`).join('&'))
    .digest('base64');

export async function startYubicoValidation(): Promise<YubicoStandIn> {
  const seen = new Map<string, number>();
  const v: YubicoStandIn = { url: '', clientId: '4711', apiKey: Buffer.from('stand-in api key 20b').toString('base64'), keys: new Map(), requests: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    v.requests++;
    const u = new URL(req.url ?? '/', 'http://x');
    const q = Object.fromEntries(u.searchParams.entries());
    const answer = (status: string) => {
      const params: Record<string, string> = { nonce: q.nonce ?? '', otp: q.otp ?? '', status, t: new Date().toISOString() };
      params.h = sign(params, v.forgeWith ?? v.apiKey);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(Object.entries(params).map(([k, val]) => `${k}=${val}`).join('\r\n') + '\r\n');
    };
    if (q.id !== v.clientId) return answer('NO_SUCH_CLIENT');
    if (q.h !== sign(q, v.apiKey)) return answer('BAD_SIGNATURE');
    const otp = q.otp ?? '';
    const aes = v.keys.get(otp.slice(0, 12));
    const d = aes ? decryptOtp(otp, aes) : null;
    if (!d) return answer('BAD_OTP');
    const use = d.token.counter * 256 + d.token.session;
    if ((seen.get(d.publicId) ?? -1) >= use) return answer('REPLAYED_OTP');
    seen.set(d.publicId, use);
    return answer('OK');
  });
  v.url = `${await listen(server)}/wsapi/2.0/verify`;
  v.close = () => close(server);
  return v;
}
