import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse, RenewResponse } from '#contract';
import { registerAuthRoutes } from '../../../server/auth/routes';
import { issuePersonCard } from '../../../tools/pki/index';
import { ANNA, authSetup, loginToken, pkis } from './fixtures';

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function setup() {
  const s = await authSetup();
  const app = Fastify({ logger: false });
  apps.push(app);
  const { requireSession } = registerAuthRoutes(app, s.deps);
  app.get('/api/v1/me', { preHandler: requireSession }, async (request) => ({ hsaId: request.authSession?.hsaId }));
  await app.ready();
  const challenge = async () => ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
  return { ...s, app, challenge };
}

describe('auth routes', () => {
  it('challenge → login → protected route → renew → logout', async () => {
    const { app, challenge, trusted, accessLog } = await setup();
    const card = await issuePersonCard(trusted, { hsaId: ANNA.hsaId, givenName: 'Anna', familyName: 'Lindqvist', algorithm: 'ec' });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(card, await challenge()), headers: { 'x-workstation': 'WS-7' } });
    expect(login.statusCode).toBe(200);
    const { token } = LoginResponse.parse(login.json());
    const auth = { authorization: `Bearer ${token}` };

    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth })).json()).toEqual({ hsaId: ANNA.hsaId });
    const renew = await app.inject({ method: 'POST', url: '/api/v1/auth/renew', headers: auth });
    expect(renew.statusCode).toBe(200);
    RenewResponse.parse(renew.json());
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth })).json()).toEqual({ ok: true });

    const after = await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    expect(accessLog.events.map((e) => e.action)).toEqual(['login', 'session_renewed', 'logout']);
    expect(accessLog.events[0]?.workstation).toBe('WS-7');
  });

  it('answers 400 on a malformed token, 401 on login errors, 403 on an unknown card holder', async () => {
    const { app, challenge, trusted } = await setup();
    const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { nonce: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION');

    const { untrusted } = await pkis();
    const foreign = await issuePersonCard(untrusted, { hsaId: ANNA.hsaId, givenName: 'Anna', familyName: 'Lindqvist', algorithm: 'ec' });
    const r1 = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(foreign, await challenge()) });
    expect([r1.statusCode, r1.json()]).toEqual([401, { error: { code: 'CERT_UNTRUSTED', message: expect.any(String) } }]);

    const token = await loginToken(foreign, 'B'.repeat(43));
    const r2 = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: token });
    expect([r2.statusCode, r2.json().error.code]).toEqual([401, 'NONCE_INVALID']);

    const stranger = await issuePersonCard(trusted, { hsaId: 'SE2321000131-P000000000999', givenName: 'Okänd', familyName: 'Person', algorithm: 'ec' });
    const r3 = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(stranger, await challenge()) });
    expect([r3.statusCode, r3.json().error.code]).toEqual([403, 'UNKNOWN_CARD_HOLDER']);
  });

  it('renew and logout without a valid bearer token are 401', async () => {
    const { app } = await setup();
    for (const url of ['/api/v1/auth/renew', '/api/v1/auth/logout']) {
      expect((await app.inject({ method: 'POST', url })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${'A'.repeat(43)}` } })).statusCode).toBe(401);
    }
  });

  it('nonces are 256-bit base64url and unique', async () => {
    const { challenge } = await setup();
    const nonces = new Set<string>();
    for (let i = 0; i < 50; i++) nonces.add(await challenge());
    expect(nonces.size).toBe(50);
    for (const n of nonces) expect(Buffer.from(n, 'base64url')).toHaveLength(32);
  });
});
