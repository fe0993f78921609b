import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppFailure, oidcRoutes, type Loa, type LoginResponse } from '#contract';
import type { ServerClient } from '../server-client';

/**
 * Login through the organisation's identity provider from the desktop (issue 29; RFC 8252, OAuth
 * for native apps): a PKCE verifier kept here, a listener on 127.0.0.1 at a random port, the
 * authorization URL the server builds opened in the SYSTEM browser (Electron shell.openExternal;
 * never an embedded web view), the redirect caught on the loopback, its state compared with ours,
 * then the server redeems the code with our verifier and answers the session.
 */
export interface BrowserLoginOptions {
  server: ServerClient;
  /** Opens a URL in the system browser: Electron's shell.openExternal, or what the browser host offers. */
  openExternal(url: string): Promise<void>;
  /**
   * The IdP the machine's configuration names (its issuer): the authorization URL must go there, so
   * a server misconfigured or taken over cannot send staff to a look-alike login page. Absent: the
   * server's (development, the browser host).
   */
  expectedIssuer?: string;
  /** Ask the IdP for this level (acr_values), e.g. 3 to step up. */
  loa?: Loa;
  workstation?: string;
  /** How long the person has at the IdP; default 5 minutes (the server's state lives as long). */
  timeoutMs?: number;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

interface Callback {
  code: string;
  state: string;
  iss?: string;
}

/** Waits for GET /callback on `server`; anything but our state is refused (and answered with a Swedish page). */
function awaitCallback(server: Server, state: string, timeoutMs: number): Promise<Callback> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new AppFailure('IDP_LOGIN_FAILED', 'no login came back from the identity provider in time', { reason: 'TIMEOUT' })), timeoutMs);
    timer.unref?.();
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      const p = url.searchParams;
      const done = (ok: boolean) => {
        res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(ok ? PAGE('Inloggningen är klar', 'Du kan stänga den här fliken och gå tillbaka till Omsorgsportalen.') : PAGE('Inloggningen misslyckades', 'Gå tillbaka till Omsorgsportalen och försök igen.'));
      };
      clearTimeout(timer);
      if (p.get('state') !== state) {
        done(false);
        reject(new AppFailure('IDP_LOGIN_FAILED', 'the identity provider\'s answer belongs to another login (state)', { reason: 'STATE' }));
        return;
      }
      const error = p.get('error');
      const code = p.get('code');
      if (error || !code) {
        done(false);
        reject(new AppFailure('IDP_LOGIN_FAILED', `the identity provider ended the login (${error ?? 'no code'})`, { reason: error === 'access_denied' ? 'CANCELLED' : 'IDP_ERROR' }));
        return;
      }
      done(true);
      const iss = p.get('iss');
      resolve({ code, state, ...(iss ? { iss } : {}) });
    });
  });
}

export async function browserLogin(opts: BrowserLoginOptions): Promise<LoginResponse> {
  const verifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
    const workstation = opts.workstation ? { workstation: opts.workstation } : {};
    const started = await opts.server.call(oidcRoutes.start, { body: { redirectUri, codeChallenge, ...(opts.loa ? { loa: opts.loa } : {}), ...workstation } });
    const url = new URL(started.authorizationUrl);
    if (opts.expectedIssuer && url.origin !== new URL(opts.expectedIssuer).origin) {
      throw new AppFailure('IDP_LOGIN_FAILED', 'the server named another identity provider than the machine configuration', { reason: 'ISSUER' });
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && /^(127\.0\.0\.1|localhost|\[::1\])$/.test(url.hostname))) {
      throw new AppFailure('IDP_LOGIN_FAILED', 'the identity provider\'s address is not https', { reason: 'ISSUER' });
    }
    const back = awaitCallback(server, started.state, opts.timeoutMs ?? 5 * 60_000);
    // The redirect may come (and be refused) before openExternal resolves: handled below, not unhandled now.
    back.catch(() => undefined);
    await opts.openExternal(url.href);
    const cb = await back;
    return await opts.server.call(oidcRoutes.finish, { body: { state: cb.state, code: cb.code, codeVerifier: verifier, ...(cb.iss ? { iss: cb.iss } : {}), ...workstation } });
  } finally {
    server.close();
    server.closeAllConnections?.();
  }
}
