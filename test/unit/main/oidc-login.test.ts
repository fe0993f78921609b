import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerClient } from '../../../main/server-client';
import { browserLogin } from '../../../main/session/oidc-login';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { generateTestPki } from '../../../tools/pki/index';
import { ACR, followToRedirect, startTestIdp, type TestIdp } from '../../support/oidc-idp';
import { authOptions, TEST_OIDC } from '../server/auth-suite';
import { demoDb } from '../server/helpers';

/**
 * The workstation's side of the IdP login (main/session/oidc-login.ts, RFC 8252): a loopback
 * listener, the system browser opened at the authorization URL, the redirect caught and its state
 * compared — against the real server and a real oidc-provider. `openExternal` is the edge: here a
 * "browser" that follows the IdP's redirects to our loopback, as the system browser would.
 */
let idp: TestIdp;
let db: Db;
let app: FastifyInstance;
let serverUrl: string;

beforeAll(async () => {
  idp = await startTestIdp({ anna: { hsaId: 'SE2321000131-P000000000101', maxLoa: 3 } });
  db = await demoDb();
  app = createServer({
    db,
    version: 'test',
    logger: false,
    auth: authOptions(await generateTestPki(), { oidc: { ...TEST_OIDC, issuer: idp.issuer, clientId: idp.clients.ours.id, clientSecret: idp.clients.ours.secret, acrLoa: { [ACR[2]]: 2, [ACR[3]]: 3 } } }),
    sync: { retentionIntervalMs: false },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  serverUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await idp?.close();
});

/** The system browser: follows the IdP to the loopback redirect and loads it. */
const systemBrowser = (opened: string[]) => async (url: string) => {
  opened.push(url);
  const back = await followToRedirect(url);
  void fetch(back).then((r) => r.text());
};

describe('login through the IdP from the desktop (loopback redirect, system browser)', () => {
  it('opens the system browser at the IdP with a loopback redirect and PKCE, catches the redirect, and gets the session at the level asked', async () => {
    const opened: string[] = [];
    const session = await browserLogin({ server: createServerClient(serverUrl), openExternal: systemBrowser(opened), expectedIssuer: idp.issuer, loa: 3, workstation: 'WS-7' });
    expect(session.assurance).toEqual({ method: 'oidc', loa: 3 });
    expect(opened).toHaveLength(1);
    const url = new URL(opened[0]!);
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('a redirect with another state is refused on the workstation (and the browser is told so in Swedish)', async () => {
    let page = '';
    const forged = async (url: string) => {
      const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
      redirect.search = new URLSearchParams({ code: 'stolen-code', state: 'not-our-state-0123456789abcdef' }).toString();
      page = await (await fetch(redirect)).text();
    };
    await expect(browserLogin({ server: createServerClient(serverUrl), openExternal: forged })).rejects.toMatchObject({ code: 'IDP_LOGIN_FAILED', details: { reason: 'STATE' } });
    expect(page).toContain('Inloggningen misslyckades');
  });

  it('never opens a browser towards another IdP than the machine configuration names', async () => {
    const opened: string[] = [];
    await expect(browserLogin({ server: createServerClient(serverUrl), openExternal: systemBrowser(opened), expectedIssuer: 'https://idp.kommun.example' })).rejects.toMatchObject({ details: { reason: 'ISSUER' } });
    expect(opened).toEqual([]);
  });

  it('the person cancelling at the IdP ends the login with a Swedish reason', async () => {
    const cancel = async (url: string) => {
      const u = new URL(url);
      const redirect = new URL(u.searchParams.get('redirect_uri')!);
      redirect.search = new URLSearchParams({ error: 'access_denied', state: u.searchParams.get('state')! }).toString();
      await fetch(redirect);
    };
    await expect(browserLogin({ server: createServerClient(serverUrl), openExternal: cancel })).rejects.toMatchObject({ code: 'IDP_LOGIN_FAILED', details: { reason: 'CANCELLED' } });
  });
});
