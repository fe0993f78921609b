/**
 * Logging in without the card through the organisation's identity provider (issue 29, docs/login.md
 * "Identity provider"), end to end: Chromium → browser host → workstation → the real server on
 * PostgreSQL, and a real OpenID provider (`oidc-provider`) on loopback with a login page. No card is
 * in any reader. The workstation asks the page to open the authorization URL (the browser host's
 * stand-in for the system browser); that second page is the "system browser": Anna types her
 * username and password at the IdP's page as she would, the IdP redirects to the workstation's
 * loopback listener, and the workstation opens the session.
 *
 * At LoA2 she sees the notice board and messages, but no client, and writes to the case officer
 * about no client (it is sent): the clients screen is closed and says why and how to get in with a
 * higher level. Then she steps up from that screen to LoA3 and
 * sees her clients.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { launchChromium } from '../support/chromium';
import { clientsOf, expectClientsClosedAtLoa2, expectNoClientNamed, openHostPage, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { ACR, startTestIdp, type TestIdp } from '../support/oidc-idp';
import { startStack, type Stack } from '../support/stack';

const ANNA = 'SE2321000131-P000000000101';
const IDP_NAME = 'SITHS eID (test)';
const IDP_PASSWORD = 'anna-vid-idp-2026';
let idp: TestIdp;
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
/** Her clients (of the units she has a permission on), as the list would name them. */
let herClients: { given: string; family: string }[] = [];

beforeAll(async () => {
  // The IdP sends its back-channel logout to the server started next (the stack's; read at the IdP's first request).
  idp = await startTestIdp({ 'anna.lindqvist': { hsaId: ANNA, maxLoa: 3, password: IDP_PASSWORD } }, { loginForm: true, backchannelLogoutUri: () => `${stack.serverUrl}/api/v1/auth/oidc/backchannel-logout` });
  stack = await startStack('e2e_idp', {
    // Sessions of 15 s, renewed every 10 s: the workstation learns soon that the server ended one.
    sessionTtlMs: 15_000,
    oidc: {
      issuer: idp.issuer,
      clientId: idp.clients.ours.id,
      clientSecret: idp.clients.ours.secret,
      name: IDP_NAME,
      hsaIdClaim: 'employeeHsaId',
      acrLoa: { [ACR[2]]: 2, [ACR[3]]: 3 },
      minLoa: 2,
      scope: 'openid profile',
      allowHttp: true,
    },
  });
  herClients = await clientsOf(stack.db, ANNA);
  browser = await openHostPage(stack.host.url);
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await idp?.close();
  await browser?.close();
  await stack?.stop();
});

/** Clicks `button` on the workstation's page; the IdP's page opens in the "system browser" and Anna logs in there. */
async function loginAtIdp(button: string, password = IDP_PASSWORD): Promise<Page> {
  const opened = browser.context.waitForEvent('page', { timeout: LIVE_WAIT_MS });
  await page.getByRole('button', { name: button }).click();
  const idpPage = await opened;
  await idpPage.getByRole('heading', { name: 'Logga in (testets e-legitimation)' }).waitFor({ timeout: LIVE_WAIT_MS });
  await idpPage.getByLabel('Användarnamn').fill('anna.lindqvist');
  await idpPage.getByLabel('Lösenord').fill(password);
  await idpPage.getByRole('button', { name: 'Logga in' }).click();
  return idpPage;
}

describe('login through the identity provider in Chromium, no card', () => {
  it('at LoA2 (after the IdP refused a wrong password on its own page): the notice board and messages open, a message to the case officer about no client is sent, the clients screen closed with why and how — and no client anywhere', async () => {
    await page.getByRole('heading', { name: 'Utan kort', exact: true }).waitFor({ timeout: LIVE_WAIT_MS });
    const idpPage = await loginAtIdp(`Logga in med ${IDP_NAME} (tillitsnivå 2)`, 'fel lösenord');
    await idpPage.getByText('Fel användarnamn eller lösenord.').waitFor({ timeout: LIVE_WAIT_MS });
    expect(await page.getByRole('navigation').count()).toBe(0);
    await idpPage.getByLabel('Användarnamn').fill('anna.lindqvist');
    await idpPage.getByLabel('Lösenord').fill(IDP_PASSWORD);
    await idpPage.getByRole('button', { name: 'Logga in' }).click();
    await idpPage.getByText('Inloggningen är klar').waitFor({ timeout: LIVE_WAIT_MS });
    await idpPage.close();
    await page.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
    const { rows } = await stack.db.query<{ auth_method: string; loa: number; idp_session: string | null }>(
      `SELECT a.auth_method, a.loa, a.idp_session FROM auth_sessions a JOIN staff s ON s.id = a.staff_id WHERE s.hsa_id = $1 AND a.revoked_at IS NULL`,
      [ANNA],
    );
    expect(rows).toEqual([{ auth_method: 'oidc', loa: 2, idp_session: expect.stringMatching(new RegExp(`^${idp.issuer} .+`)) }]);
    expect(idp.logins.at(-1)).toEqual({ user: 'anna.lindqvist', acr: ACR[2] });
    // The banner says what this level opens.
    await page.getByText('Du är inloggad på tillitsnivå 2.', { exact: false }).first().waitFor({ timeout: LIVE_WAIT_MS });

    await page.getByRole('navigation').getByRole('button', { name: /^Anslagstavla/ }).click();
    await page.getByRole('heading', { name: 'Anslagstavla', level: 2 }).waitFor({ timeout: LIVE_WAIT_MS });
    await expectNoClientNamed(page, herClients);
    await page.getByRole('navigation').getByRole('button', { name: /^Meddelanden/ }).click();
    await page.getByRole('heading', { name: 'Meddelanden', level: 2 }).waitFor({ timeout: LIVE_WAIT_MS });
    await expectNoClientNamed(page, herClients);

    // She writes to the case officer about no client at once: at LoA2 it is sent, not left "Ej
    // skickat" (nor refused locally while the new LoA2 store still waits for its first pull).
    await page.getByRole('button', { name: 'Nytt meddelande' }).click();
    const picker = page.getByRole('group', { name: 'Mottagare' });
    await picker.getByRole('group', { name: 'Handläggare' }).getByRole('checkbox', { name: 'Maria Ek, Biståndshandläggare' }).check({ timeout: LIVE_WAIT_MS });
    await picker.getByRole('checkbox', { name: /^Enhetens inkorg/ }).uncheck();
    const subject = `Fråga på tillitsnivå 2 ${Date.now()}`;
    await page.getByLabel('Ämne').fill(subject);
    await page.getByLabel('Meddelande', { exact: true }).fill('Kan vi ses om rutinerna nästa vecka?');
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('heading', { name: subject, level: 2 }).waitFor({ timeout: LIVE_WAIT_MS });
    await expect
      .poll(async () => {
        const { rows } = await stack.db.query<{ client_id: string | null; assignment_id: string | null; messages: number; officer: boolean }>(
          `SELECT th.client_id, th.assignment_id, (SELECT count(*)::int FROM messages m WHERE m.thread_id = th.id) AS messages,
                  EXISTS (SELECT 1 FROM staff s WHERE s.hsa_id = 'SE2120001355-P000000000201' AND s.id = ANY(th.participant_ids)) AS officer
             FROM message_threads th JOIN staff a ON a.id = th.author_staff_id WHERE th.subject = $1 AND a.hsa_id = $2`,
          [subject, ANNA],
        );
        return rows;
      }, { timeout: LIVE_WAIT_MS })
      .toEqual([{ client_id: null, assignment_id: null, messages: 1, officer: true }]);
    await expect.poll(() => page.getByText('Ej skickat').count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await saveScreenshot(page, 'idp-login-loa2-message-sent');

    await expectClientsClosedAtLoa2(page, herClients);
    await page.getByRole('button', { name: `Logga in med ${IDP_NAME} på tillitsnivå 3` }).waitFor();
    await saveScreenshot(page, 'idp-login-loa2-clients-closed');
  });

  it('steps up from the closed screen to LoA3 at the IdP, and sees her clients', async () => {
    const idpPage = await loginAtIdp(`Logga in med ${IDP_NAME} på tillitsnivå 3`);
    await idpPage.getByText('Inloggningen är klar').waitFor({ timeout: LIVE_WAIT_MS });
    await idpPage.close();
    expect(idp.logins.at(-1)).toEqual({ user: 'anna.lindqvist', acr: ACR[3] });
    await page.getByRole('navigation').getByRole('button', { name: /^Brukare/ }).click();
    const list = page.getByRole('list', { name: 'Brukare' });
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    const shown = await list.innerText();
    expect(herClients.some((c) => shown.includes(c.family))).toBe(true);
    expect(await page.getByRole('heading', { name: 'Stängt på din tillitsnivå' }).count()).toBe(0);
    const { rows } = await stack.db.query<{ loa: number }>(
      `SELECT a.loa FROM auth_sessions a JOIN staff s ON s.id = a.staff_id WHERE s.hsa_id = $1 AND a.revoked_at IS NULL ORDER BY a.created_at`,
      [ANNA],
    );
    expect(rows.at(-1)).toEqual({ loa: 3 });
    const { rows: log } = await stack.db.query<{ loa: number }>(
      `SELECT l.loa FROM access_log l JOIN staff s ON s.id = l.actor_staff_id WHERE s.hsa_id = $1 AND l.action = 'login' AND l.auth_method = 'oidc' ORDER BY l.loa`,
      [ANNA],
    );
    expect(log).toEqual([{ loa: 2 }, { loa: 3 }]);
    await saveScreenshot(page, 'idp-login-loa3-clients');
  });

  it('she logs out at the IdP: the IdP tells the server (back-channel), the workstation shows the login screen with why', async () => {
    const idpPage = await browser.context.newPage();
    await idpPage.goto(`${idp.issuer}/session/end`);
    await idpPage.getByRole('button', { name: /sign me out/i }).click();
    await idpPage.waitForLoadState();
    await idpPage.close();
    const { rows } = await stack.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM auth_sessions a JOIN staff s ON s.id = a.staff_id WHERE s.hsa_id = $1 AND a.revoked_at IS NULL AND a.expires_at > now()`,
      [ANNA],
    );
    expect(rows[0]?.n).toBe('0');
    // At its next renewal (within 10 s) the workstation learns the session ended.
    await page.getByRole('heading', { name: 'Arbetsstationen är låst', level: 1 }).waitFor({ timeout: LIVE_WAIT_MS });
    await page.getByText('Inloggningen avslutades på servern, till exempel för att du loggade ut hos e-legitimationen. Logga in igen.', { exact: false }).waitFor();
    expect(await page.getByRole('navigation').count()).toBe(0);
    await expectNoClientNamed(page, herClients);
    await saveScreenshot(page, 'idp-login-ended-at-idp');
  });
});
