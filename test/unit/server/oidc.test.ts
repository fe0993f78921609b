import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginMethodsResponse, LoginResponse, OidcStartResponse, type Loa } from '#contract';
import { createServer } from '../../../server/app';
import { SqlAccessLog, verifyChain } from '../../../server/audit/access-log';
import { createOidcLogin, InMemoryOidcLoginStore, type OidcSettings } from '../../../server/auth/oidc';
import { SqlStaffDirectory } from '../../../server/auth/staff';
import type { Db } from '../../../server/db/types';
import { generateTestPki } from '../../../tools/pki/index';
import { ACR, followToRedirect, logoutAtIdp, startTestIdp, type TestIdp } from '../../support/oidc-idp';
import { authOptions } from './auth-suite';
import { demoDb } from './helpers';

/**
 * Login through the organisation's identity provider (issue 29) against a real OpenID provider on
 * loopback (oidc-provider): authorization code + PKCE with a loopback redirect, the server
 * redeeming the code and validating the ID token; users at LoA2 and LoA3.
 */
const ANNA = 'SE2321000131-P000000000101';

let idp: TestIdp;
let db: Db;
let app: FastifyInstance;
let settings: OidcSettings;
let serverUrl = '';
const clock = { offsetMs: 0 };

beforeAll(async () => {
  idp = await startTestIdp({
    anna: { hsaId: ANNA, maxLoa: 3 },
    anna2: { hsaId: ANNA, maxLoa: 2 },
    low: { hsaId: ANNA, maxLoa: 1 },
    stranger: { hsaId: 'SE2321000131-P000000000999', maxLoa: 3 },
  }, { backchannelLogoutUri: () => `${serverUrl}/api/v1/auth/oidc/backchannel-logout` });
  db = await demoDb();
  settings = {
    issuer: idp.issuer,
    clientId: idp.clients.ours.id,
    clientSecret: idp.clients.ours.secret,
    name: 'SITHS eID (test)',
    hsaIdClaim: 'employeeHsaId',
    acrLoa: { [ACR[2]]: 2, [ACR[3]]: 3, [ACR[1]]: 1 },
    minLoa: 2,
    scope: 'openid profile',
    allowHttp: true,
  };
  const pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki, { oidc: settings, now: () => new Date(Date.now() + clock.offsetMs) }), sync: { retentionIntervalMs: false } });
  // Listening: the IdP posts its back-channel logout tokens to it.
  await app.listen({ host: '127.0.0.1', port: 0 });
  serverUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await idp?.close();
});

/** What the workstation does: a PKCE verifier it keeps, a loopback redirect URI. */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url'), redirectUri: `http://127.0.0.1:${40_000 + Math.floor(Math.random() * 20_000)}/callback` };
}

async function start(p: ReturnType<typeof pkce>, loa?: Loa) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/oidc/start', payload: { redirectUri: p.redirectUri, codeChallenge: p.challenge, ...(loa ? { loa } : {}), workstation: 'WS-IDP' } });
  expect(res.statusCode, res.body).toBe(200);
  return OidcStartResponse.parse(res.json());
}

const finish = (back: URL, verifier: string, over: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/oidc/finish',
    payload: { state: back.searchParams.get('state'), code: back.searchParams.get('code'), codeVerifier: verifier, ...(back.searchParams.get('iss') ? { iss: back.searchParams.get('iss') } : {}), workstation: 'WS-IDP', ...over },
  });

/** A whole login as `user`, asking for `loa`: the redirect back and the server's answer. */
async function loginAs(user: string, loa?: Loa) {
  idp.user = user;
  const p = pkce();
  const started = await start(p, loa);
  const back = await followToRedirect(started.authorizationUrl);
  expect(back.searchParams.get('state')).toBe(started.state);
  return { back, p, res: await finish(back, p.verifier) };
}

const lastLog = async () => (await db.query<{ action: string; error_code: string | null; auth_method: string | null; loa: number | null; actor_hsa_id: string | null }>('SELECT action, error_code, auth_method, loa, actor_hsa_id FROM access_log ORDER BY id DESC LIMIT 1')).rows[0]!;

describe('login through the identity provider (OpenID Connect, real oidc-provider)', () => {
  it('the server says which methods it offers, the IdP by name and its levels', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
    const methods = LoginMethodsResponse.parse(res.json());
    expect({ card: methods.card, oidc: methods.oidc }).toEqual({ card: true, oidc: { name: 'SITHS eID (test)', issuer: idp.issuer, levels: [2, 3] } });
    // What each level opens, as the administrator's table shows it (server/auth/assurance.ts).
    expect(methods.assurance).toEqual([
      { function: 'client_data', loa: 3 },
      { function: 'administration', loa: 3 },
      { function: 'notices', loa: 2 },
      { function: 'messages', loa: 2 },
      { function: 'own_settings', loa: 2 },
    ]);
  });

  it('the authorization URL carries the workstation\'s PKCE challenge (S256), its loopback redirect, state, nonce and the level asked', async () => {
    const p = pkce();
    const url = new URL((await start(p, 3)).authorizationUrl);
    expect(url.origin).toBe(idp.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: idp.clients.ours.id, response_type: 'code', code_challenge: p.challenge, code_challenge_method: 'S256', redirect_uri: p.redirectUri, acr_values: ACR[3], prompt: 'login' });
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('LoA2 person logs in: a session at LoA2 by method oidc, logged with both', async () => {
    const { res } = await loginAs('anna2');
    expect(res.statusCode, res.body).toBe(200);
    const session = LoginResponse.parse(res.json());
    expect(session.user.hsaId).toBe(ANNA);
    expect(session.assurance).toEqual({ method: 'oidc', loa: 2 });
    expect(await lastLog()).toMatchObject({ action: 'login', auth_method: 'oidc', loa: 2, actor_hsa_id: ANNA });
    const units = await app.inject({ method: 'GET', url: '/api/v1/units', headers: { authorization: `Bearer ${session.token}` } });
    expect(units.statusCode).toBe(200);
  });

  it('asking for LoA3, a person who reaches it gets a session at LoA3', async () => {
    const { res } = await loginAs('anna', 3);
    expect(res.statusCode, res.body).toBe(200);
    expect(LoginResponse.parse(res.json()).assurance).toEqual({ method: 'oidc', loa: 3 });
    expect(idp.logins.at(-1)).toEqual({ user: 'anna', acr: ACR[3] });
  });

  it('a replayed code is refused (the IdP redeems a code once), and so is a replayed state', async () => {
    const { back, p, res } = await loginAs('anna2');
    expect(res.statusCode).toBe(200);
    const again = await finish(back, p.verifier);
    expect([again.statusCode, again.json().error.code, again.json().error.details]).toEqual([401, 'IDP_LOGIN_FAILED', { reason: 'STATE' }]);
    // The same code under a fresh state: the IdP refuses it (invalid_grant).
    const p2 = { ...p };
    const started = await start(p2);
    const replay = await finish(back, p.verifier, { state: started.state });
    expect([replay.statusCode, replay.json().error.code, replay.json().error.details]).toEqual([401, 'IDP_LOGIN_FAILED', { reason: 'CODE' }]);
    expect(await lastLog()).toMatchObject({ action: 'login_failed', error_code: 'IDP_LOGIN_FAILED', auth_method: 'oidc' });
  });

  it('a mismatched state is refused: a state this server never issued, or another login\'s', async () => {
    idp.user = 'anna2';
    const p = pkce();
    const started = await start(p);
    const back = await followToRedirect(started.authorizationUrl);
    const forged = await finish(back, p.verifier, { state: randomBytes(32).toString('base64url') });
    expect([forged.statusCode, forged.json().error.details]).toEqual([401, { reason: 'STATE' }]);
    // Another login's state with this code: the state fits no code of its own (openid-client compares).
    const other = await start(pkce());
    const crossed = await finish(back, p.verifier, { state: other.state });
    expect([crossed.statusCode, crossed.json().error.code]).toEqual([401, 'IDP_LOGIN_FAILED']);
  });

  it('a PKCE verifier that does not fit the challenge is refused before the code is redeemed', async () => {
    idp.user = 'anna2';
    const p = pkce();
    const back = await followToRedirect((await start(p)).authorizationUrl);
    const res = await finish(back, randomBytes(32).toString('base64url'));
    expect([res.statusCode, res.json().error.details]).toEqual([401, { reason: 'PKCE' }]);
  });

  it('a wrong acr is refused: LoA1 (below the lowest accepted) and an acr this server does not know', async () => {
    const low = await loginAs('low');
    expect([low.res.statusCode, low.res.json().error.code, low.res.json().error.details]).toEqual([403, 'IDP_LOA_REFUSED', { reason: 'ACR_TOO_LOW' }]);
    expect(await lastLog()).toMatchObject({ action: 'login_failed', error_code: 'IDP_LOA_REFUSED', auth_method: 'oidc' });
    const strict = createOidcLogin({ settings: { ...settings, acrLoa: { [ACR[3]]: 3 } }, store: new InMemoryOidcLoginStore(), staff: new SqlStaffDirectory(db), accessLog: new SqlAccessLog(db), openSession: () => Promise.reject(new Error('not reached')) });
    const token = await idToken('anna2', strict);
    await expect(strict.validateIdToken(token.idToken, token.nonce)).rejects.toMatchObject({ code: 'IDP_LOA_REFUSED', details: { reason: 'ACR_UNKNOWN' } });
  });

  it('an unknown HSA-ID is refused and logged with it (it is a validated HSA-ID, not a personnummer)', async () => {
    const { res } = await loginAs('stranger');
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'IDP_UNKNOWN_PERSON']);
    expect(await lastLog()).toMatchObject({ action: 'login_failed', error_code: 'IDP_UNKNOWN_PERSON', actor_hsa_id: 'SE2321000131-P000000000999', loa: 3 });
  });

  it('an ID token for another client (wrong audience) is refused, though the IdP signed it', async () => {
    const ours = createOidcLogin({ settings, store: new InMemoryOidcLoginStore(), staff: new SqlStaffDirectory(db), accessLog: new SqlAccessLog(db), openSession: () => Promise.reject(new Error('not reached')) });
    const foreign = await idToken('anna2', createOidcLogin({ settings: { ...settings, clientId: idp.clients.other.id, clientSecret: idp.clients.other.secret }, store: new InMemoryOidcLoginStore(), staff: new SqlStaffDirectory(db), accessLog: new SqlAccessLog(db), openSession: (x) => Promise.reject(x) }));
    await expect(ours.validateIdToken(foreign.idToken, foreign.nonce)).rejects.toMatchObject({ code: 'IDP_LOGIN_FAILED', details: { reason: 'TOKEN_CLAIM_aud' } });
  });

  it('an expired ID token is refused (our clock past exp + 30 s), a wrong nonce too, a tampered signature too', async () => {
    const login = (now?: () => Date) => createOidcLogin({ settings, store: new InMemoryOidcLoginStore(), staff: new SqlStaffDirectory(db), accessLog: new SqlAccessLog(db), openSession: () => Promise.reject(new Error('not reached')), ...(now ? { now } : {}) });
    const t = await idToken('anna2', login());
    await expect(login().validateIdToken(t.idToken, t.nonce)).resolves.toMatchObject({ hsaId: ANNA, loa: 2 });
    const exp = (JSON.parse(Buffer.from(t.idToken.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
    await expect(login(() => new Date((exp + 31) * 1000)).validateIdToken(t.idToken, t.nonce)).rejects.toMatchObject({ code: 'IDP_LOGIN_FAILED', details: { reason: 'TOKEN_EXPIRED' } });
    await expect(login().validateIdToken(t.idToken, 'another-nonce-0123456789abcdef')).rejects.toMatchObject({ details: { reason: 'TOKEN_CLAIM_nonce' } });
    const [h, p, sig] = t.idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const raised = Buffer.from(JSON.stringify({ ...claims, acr: ACR[3] })).toString('base64url');
    await expect(login().validateIdToken(`${h}.${raised}.${sig}`, t.nonce)).rejects.toMatchObject({ details: { reason: 'TOKEN_INVALID' } });
  });

  it('the access log stays a valid chain with the v2 rows', async () => {
    expect(await verifyChain(db)).toMatchObject({ ok: true });
  });

  /** A genuine ID token from the IdP for `login`'s client, fetched like the server does but kept. */
  async function idToken(user: string, login: ReturnType<typeof createOidcLogin>): Promise<{ idToken: string; nonce: string }> {
    idp.user = user;
    const p = pkce();
    const started = await login.start({ redirectUri: p.redirectUri, codeChallenge: p.challenge });
    const nonce = new URL(started.authorizationUrl).searchParams.get('nonce')!;
    const back = await followToRedirect(started.authorizationUrl);
    const clientId = new URL(started.authorizationUrl).searchParams.get('client_id')!;
    const secret = clientId === idp.clients.ours.id ? idp.clients.ours.secret : idp.clients.other.secret;
    const res = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: p.redirectUri, code_verifier: p.verifier }),
    });
    const body = (await res.json()) as { id_token?: string };
    expect(body.id_token, JSON.stringify(body)).toBeTruthy();
    return { idToken: body.id_token!, nonce };
  }
});

/** A session's bearer token answers (renewal) or not. */
const renews = async (token: string) => (await app.inject({ method: 'POST', url: '/api/v1/auth/renew', headers: { authorization: `Bearer ${token}` } })).statusCode;

/** A logout token as the IdP would mint it (its own key), with `over` changed; `null` drops a claim. */
async function logoutToken(over: Record<string, unknown> = {}): Promise<string> {
  const claims: Record<string, unknown> = { iss: idp.issuer, aud: idp.clients.ours.id, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), sid: `sid-${randomUUID()}`, events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, ...over };
  for (const [k, v] of Object.entries(claims)) if (v === null) delete claims[k];
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-idp-1', typ: 'logout+jwt' }).sign(idp.signingKey);
}

const postLogout = (token: string) => fetch(`${serverUrl}/api/v1/auth/oidc/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }).toString() });

describe("the IdP's session ends: back-channel logout (OpenID Connect Back-Channel Logout 1.0)", () => {
  it('Anna logs out at the IdP: the IdP posts its logout token, her session here ends, logged as a logout', async () => {
    idp.user = 'anna2';
    const jar = new Map<string, string>();
    const p = pkce();
    const back = await followToRedirect((await start(p)).authorizationUrl, jar);
    const res = await finish(back, p.verifier);
    expect(res.statusCode, res.body).toBe(200);
    const { token } = LoginResponse.parse(res.json());
    const { rows } = await db.query<{ idp_session: string }>('SELECT idp_session FROM auth_sessions WHERE token_hash = $1', [createHash('sha256').update(token).digest('hex')]);
    expect(rows[0]?.idp_session).toMatch(new RegExp(`^${idp.issuer} .+`));
    expect(await renews(token)).toBe(200);
    await logoutAtIdp(idp.issuer, jar);
    expect(await renews(token)).toBe(401);
    expect(await lastLog()).toMatchObject({ action: 'logout', auth_method: 'oidc', loa: 2, actor_hsa_id: ANNA });
  });

  it('ends only the sessions of that IdP session', async () => {
    const a = await loginAs('anna2');
    const b = await loginAs('anna2');
    const tokenA = LoginResponse.parse(a.res.json()).token;
    const tokenB = LoginResponse.parse(b.res.json()).token;
    const sidOf = async (t: string) => (await db.query<{ idp_session: string }>('SELECT idp_session FROM auth_sessions WHERE token_hash = $1', [createHash('sha256').update(t).digest('hex')])).rows[0]!.idp_session.split(' ')[1]!;
    const res = await postLogout(await logoutToken({ sid: await sidOf(tokenA) }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ended: 1 });
    expect(await renews(tokenA)).toBe(401);
    expect(await renews(tokenB)).toBe(200);
  });

  it('refuses a logout token that is replayed, forged, for another client, old, without the event or sid, or carrying a nonce', async () => {
    const once = await logoutToken();
    expect((await postLogout(once)).status).toBe(200);
    const refused = async (token: string) => {
      const res = await postLogout(token);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { code: string; message: string; details?: { reason?: string } } }).error;
    };
    expect(await refused(once)).toMatchObject({ code: 'VALIDATION', message: 'Utloggningen från e-legitimationen godtogs inte.', details: { reason: 'TOKEN_REPLAYED' } });
    const { privateKey: other } = await (await import('jose')).generateKeyPair('RS256');
    const forged = await new SignJWT({ iss: idp.issuer, aud: idp.clients.ours.id, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), sid: 'x', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }).setProtectedHeader({ alg: 'RS256', kid: 'test-idp-1' }).sign(other);
    expect((await refused(forged)).details?.reason).toBe('TOKEN_INVALID');
    expect((await refused(await logoutToken({ aud: idp.clients.other.id }))).details?.reason).toBe('TOKEN_CLAIM_aud');
    expect((await refused(await logoutToken({ iss: 'http://127.0.0.1:1' }))).details?.reason).toBe('TOKEN_CLAIM_iss');
    expect((await refused(await logoutToken({ iat: Math.floor(Date.now() / 1000) - 3600 }))).details?.reason).toMatch(/^TOKEN_(CLAIM_iat|EXPIRED)$/);
    expect((await refused(await logoutToken({ events: null }))).details?.reason).toBe('TOKEN_CLAIM_events');
    expect((await refused(await logoutToken({ events: { 'http://schemas.openid.net/event/other': {} } }))).details?.reason).toBe('TOKEN_CLAIM_events');
    expect((await refused(await logoutToken({ sid: null, sub: 'anna' }))).details?.reason).toBe('TOKEN_CLAIM_sid');
    expect((await refused(await logoutToken({ nonce: 'n' }))).details?.reason).toBe('TOKEN_CLAIM_nonce');
    expect((await refused(await logoutToken({ jti: null }))).details?.reason).toBe('TOKEN_CLAIM_jti');
    expect((await refused('not-a-token')).details?.reason).toBe('NO_TOKEN');
  });
});
