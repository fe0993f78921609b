import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/**
 * A real OpenID provider on loopback for the tests (the certified `oidc-provider` package), standing
 * in for the organisation's IdP (Inera's for SITHS eID, a municipality's for Freja eID+ / BankID).
 * Users sign in through the interaction below, which plays the person at the IdP: `idp.user` is who
 * signs in next; the level asserted (acr) is the one the request asked for (acr_values) when the
 * person can reach it, else the person's highest — like a real IdP's step-up.
 */
export const ACR = {
  1: 'http://id.elegnamnden.se/loa/1.0/loa1',
  2: 'http://id.elegnamnden.se/loa/1.0/loa2',
  3: 'http://id.elegnamnden.se/loa/1.0/loa3',
} as const;

export interface IdpUser {
  hsaId: string;
  /** The highest level the person reaches at the IdP (1: e.g. a plain password there). */
  maxLoa: 1 | 2 | 3;
  /** With `loginForm`: the password the person types at the IdP. */
  password?: string;
}

export interface TestIdpOptions {
  idTokenTtlS?: number;
  /**
   * Show a login page (HTML form: Användarnamn, Lösenord, Logga in) at each interaction instead of
   * signing `idp.user` in by itself: the e2e's "system browser" fills it in as the person would.
   */
  loginForm?: boolean;
  /**
   * Where the IdP sends its back-channel logout token for our client (OpenID Connect Back-Channel
   * Logout 1.0, with sid): read when the IdP serves its first request, so it may name a server
   * started after the IdP.
   */
  backchannelLogoutUri?: () => string;
}

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const loginPage = (uid: string, error = '') => `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Testets e-legitimation</title></head>
<body><main><h1>Logga in (testets e-legitimation)</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label>Användarnamn <input name="username" autocomplete="username"></label>
<label>Lösenord <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Logga in</button></form></main></body></html>`;

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body);
}

export interface TestIdp {
  issuer: string;
  provider: Provider;
  /** Who signs in at the next interaction (a key of `users`). */
  user: string;
  users: Record<string, IdpUser>;
  /** The interactions seen (for assertions): who, which acr. */
  logins: { user: string; acr: string }[];
  clients: { ours: { id: string; secret: string }; other: { id: string; secret: string } };
  /** The IdP's signing key (kid test-idp-1), for tests that mint tokens as the IdP would. */
  signingKey: CryptoKey;
  close(): Promise<void>;
}

export async function startTestIdp(users: Record<string, IdpUser>, opts: TestIdpOptions = {}): Promise<TestIdp> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-idp-1' };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = {
    ours: { id: 'omsorgsportalen', secret: 'test-secret-omsorgsportalen-0123456789abcdef' },
    other: { id: 'annan-tjanst', secret: 'test-secret-annan-tjanst-0123456789abcdef' },
  };
  const client = (c: { id: string; secret: string }) => ({
    client_id: c.id,
    client_secret: c.secret,
    application_type: 'native' as const,
    // RFC 8252 7.3: any port on the loopback address.
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code' as const],
    token_endpoint_auth_method: 'client_secret_basic' as const,
  });
  const makeProvider = () => new Provider(issuer, {
    clients: [
      { ...client(clients.ours), ...(opts.backchannelLogoutUri ? { backchannel_logout_uri: opts.backchannelLogoutUri(), backchannel_logout_session_required: true } : {}) },
      client(clients.other),
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['test-idp-cookie-key-0123456789'] },
    // acr, sid and auth_time in every ID token, as Inera's IdP sends them.
    claims: { openid: ['sub', 'acr', 'sid', 'auth_time'], profile: ['employeeHsaId'] },
    scopes: ['openid', 'profile'],
    conformIdTokenClaims: false,
    acrValues: Object.values(ACR),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, backchannelLogout: { enabled: true } },
    ttl: { IdToken: opts.idTokenTtlS ?? 3600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Its outgoing calls (the back-channel logout) go to our server on loopback, which oidc-provider's
    // guard against server-side request forgery refuses (special-use addresses): without the guard here.
    fetch: (url, options) => {
      const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return fetch(url, rest);
    },
    findAccount: (_ctx, id) => {
      const u = users[id];
      if (!u) return undefined;
      return { accountId: id, claims: () => ({ sub: id, employeeHsaId: u.hsaId }) };
    },
  });
  let made: Provider | undefined;
  const providerOf = () => (made ??= makeProvider());
  const idp: TestIdp = {
    issuer,
    get provider() {
      return providerOf();
    },
    user: Object.keys(users)[0]!,
    users,
    logins: [],
    clients,
    signingKey: privateKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  let handler: ReturnType<Provider['callback']> | undefined;
  server.on('request', (req, res) => {
    const provider = providerOf();
    if (!req.url?.startsWith('/interaction/')) return void (handler ??= provider.callback())(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (opts.loginForm) {
          // The person at the IdP's page: the form first, then her username and password.
          const form = req.method === 'POST' ? await formBody(req) : null;
          const who = form?.get('username') ?? '';
          const known = users[who];
          if (!form || !known || known.password === undefined || form.get('password') !== known.password) {
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
            res.end(loginPage(details.uid, form ? 'Fel användarnamn eller lösenord.' : ''));
            return;
          }
          idp.user = who;
        }
        const u = users[idp.user]!;
        const asked = Object.entries(ACR).find(([, acr]) => acr === String(details.params.acr_values ?? '').split(' ')[0])?.[0];
        const level = Math.min(Number(asked ?? u.maxLoa), u.maxLoa) as 1 | 2 | 3;
        const grant = new provider.Grant({ accountId: idp.user, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        idp.logins.push({ user: idp.user, acr: ACR[level] });
        await provider.interactionFinished(req, res, { login: { accountId: idp.user, acr: ACR[level] }, consent: { grantId } }, { mergeWithLastSubmission: false });
      } catch (e) {
        res.statusCode = 500;
        res.end(String(e));
      }
    })();
  });
  return idp;
}

/** A browser's cookie jar for the IdP: the Cookie header it sends, and what a response sets. */
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
function keepCookies(jar: Map<string, string>, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    jar.set(pair!.slice(0, i), pair!.slice(i + 1));
  }
}

/** Follows the authorization URL as a browser would (cookies kept), up to the loopback redirect; returns it. */
export async function followToRedirect(authorizationUrl: string, jar = new Map<string, string>()): Promise<URL> {
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = cookieHeader(jar);
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    keepCookies(jar, res);
    const location = res.headers.get('location');
    if (!location) throw new Error(`the IdP answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    const next = new URL(location, url);
    if (next.hostname === '127.0.0.1' && next.pathname === '/callback') return next;
    url = next.href;
  }
  throw new Error('too many redirects at the IdP');
}

/**
 * The person logs out at the IdP in the browser whose cookies are `jar` (the IdP's end-session
 * page, then its "yes, sign me out" form): the IdP ends its session and sends its back-channel
 * logout tokens before it answers.
 */
export async function logoutAtIdp(issuer: string, jar: Map<string, string>): Promise<void> {
  const page = await fetch(`${issuer}/session/end`, { headers: { cookie: cookieHeader(jar) } });
  keepCookies(jar, page);
  const html = await page.text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!xsrf) throw new Error(`the IdP's end-session page has no form: ${html.slice(0, 300)}`);
  const done = await fetch(`${issuer}/session/end/confirm`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ xsrf, logout: 'yes' }).toString() });
  keepCookies(jar, done);
  if (done.status >= 400) throw new Error(`the IdP refused the logout: ${done.status}`);
}
