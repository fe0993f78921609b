import { describe, expect, it } from 'vitest';
import { LoginResponse, NONCE_TTL_MS, type AppFailure, type LoginRequest } from '#contract';
import { issuePersonCard } from '../../../tools/pki/index';
import { codeOf } from '../../support/failure';
import { ANNA, LEILA, ORIGIN, authSetup, loginToken, pkis } from './fixtures';

const anna = { hsaId: ANNA.hsaId, givenName: ANNA.givenName, familyName: ANNA.familyName };

describe('card-signed login', () => {
  it.each(['rsa', 'ec'] as const)('logs in with a %s card: session token, user and units', async (algorithm) => {
    const { service, accessLog, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm });
    const { nonce } = await service.challenge();
    const token = await loginToken(card, nonce);
    expect(token.algorithm).toBe(algorithm === 'rsa' ? 'RS256' : 'ES256');
    const res = LoginResponse.parse(await service.login(token, { workstation: 'WS-042' }));
    expect(res.user).toEqual(ANNA);
    expect(res.units).toHaveLength(1);
    expect(res.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await service.authenticate(res.token)).toMatchObject({ staffId: ANNA.id, hsaId: ANNA.hsaId });
    expect(accessLog.events).toEqual([
      expect.objectContaining({ action: 'login', outcome: 'success', actorHsaId: ANNA.hsaId, actorStaffId: ANNA.id, workstation: 'WS-042', authMethod: 'card', loa: 3 }),
    ]);
    expect(res.assurance).toEqual({ method: 'card', loa: 3 });
    expect(await service.authenticate(res.token)).toMatchObject({ method: 'card', loa: 3 });
  });

  it('the nonce is single use: a replayed token is refused (NONCE_INVALID)', async () => {
    const { service, accessLog, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const token = await loginToken(card, (await service.challenge()).nonce);
    await service.login(token);
    expect(await codeOf(service.login(token))).toBe('NONCE_INVALID');
    expect(accessLog.events.map((e) => e.errorCode ?? e.action)).toEqual(['login', 'NONCE_INVALID']);
  });

  it('refuses an unknown nonce and an expired one (NONCE_INVALID)', async () => {
    const { service, clock, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const unknown = await loginToken(card, 'A'.repeat(43));
    expect(await codeOf(service.login(unknown))).toBe('NONCE_INVALID');
    const { nonce } = await service.challenge();
    clock.advance(NONCE_TTL_MS + 1);
    expect(await codeOf(service.login(await loginToken(card, nonce)))).toBe('NONCE_INVALID');
  });

  it('a failed attempt burns the nonce', async () => {
    const { service, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const { nonce } = await service.challenge();
    const good = await loginToken(card, nonce);
    expect(await codeOf(service.login({ ...good, signature: Buffer.alloc(64, 1).toString('base64') }))).toBe('SIGNATURE_INVALID');
    expect(await codeOf(service.login(good))).toBe('NONCE_INVALID');
  });

  it('refuses a bad signature, a signature for another nonce and a token for another origin (SIGNATURE_INVALID)', async () => {
    const { service, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'rsa' });
    const n1 = (await service.challenge()).nonce;
    const n2 = (await service.challenge()).nonce;
    const n3 = (await service.challenge()).nonce;
    const n4 = (await service.challenge()).nonce;
    const t1 = await loginToken(card, n1);
    const sig = Buffer.from(t1.signature, 'base64');
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    expect(await codeOf(service.login({ ...t1, signature: sig.toString('base64') }))).toBe('SIGNATURE_INVALID');
    const signedForN3 = await loginToken(card, n3);
    expect(await codeOf(service.login({ ...signedForN3, nonce: n2 }))).toBe('SIGNATURE_INVALID');
    // Signed for another origin, honestly declared: refused; and declared as ours: the signature fails.
    const phishing = await loginToken(card, n4, { origin: 'https://omsorg.evil.example' });
    expect(await codeOf(service.login(phishing))).toBe('SIGNATURE_INVALID');
    const n5 = (await service.challenge()).nonce;
    const phishing2 = await loginToken(card, n5, { origin: 'https://omsorg.evil.example' });
    expect(await codeOf(service.login({ ...phishing2, origin: ORIGIN }))).toBe('SIGNATURE_INVALID');
  });

  it('refuses an algorithm that does not fit the key (SIGNATURE_INVALID)', async () => {
    const { service, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const t = await loginToken(card, (await service.challenge()).nonce);
    expect(await codeOf(service.login({ ...t, algorithm: 'RS256' }))).toBe('SIGNATURE_INVALID');
  });

  it('refuses a card from an untrusted CA and records the failure without an HSA-ID (CERT_UNTRUSTED)', async () => {
    const { service, accessLog } = await authSetup();
    const { untrusted } = await pkis();
    const card = await issuePersonCard(untrusted, { ...anna, algorithm: 'ec' });
    expect(await codeOf(service.login(await loginToken(card, (await service.challenge()).nonce)))).toBe('CERT_UNTRUSTED');
    expect(accessLog.events).toEqual([expect.objectContaining({ action: 'login_failed', errorCode: 'CERT_UNTRUSTED', actorHsaId: undefined })]);
    expect(accessLog.events[0]?.certSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses expired and not-yet-valid cards, and a login with the signature key', async () => {
    const { service, accessLog, trusted } = await authSetup();
    const day = 86400_000;
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const expired = await issuePersonCard(trusted, { ...anna, algorithm: 'ec', notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day) });
    const future = await issuePersonCard(trusted, { ...anna, algorithm: 'ec', notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 30 * day) });
    const n = async () => (await service.challenge()).nonce;
    expect(await codeOf(service.login(await loginToken(card, await n(), { key: 'sign' })))).toBe('CERT_WRONG_USAGE');
    expect(await codeOf(service.login(await loginToken(expired, await n())))).toBe('CERT_EXPIRED');
    expect(await codeOf(service.login(await loginToken(future, await n())))).toBe('CERT_NOT_YET_VALID');
    expect(accessLog.events.map((e) => e.errorCode)).toEqual(['CERT_WRONG_USAGE', 'CERT_EXPIRED', 'CERT_NOT_YET_VALID']);
    // The chain was verified, so the HSA-ID is the CA's word and goes into the log.
    expect(accessLog.events.every((e) => e.actorHsaId === ANNA.hsaId)).toBe(true);
  });

  it('refuses a card without the LoA3 policy (CERT_WRONG_POLICY)', async () => {
    const { service, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec', policies: ['1.3.6.1.4.1.32473.1.2'] });
    const refused = await service.login(await loginToken(card, (await service.challenge()).nonce)).then(
      () => undefined,
      (e: AppFailure) => e,
    );
    // Which certificate lacked what: the person certificate, a policy of level 3 (the reason for the log, the Swedish text for the user).
    expect([refused?.code, refused?.details]).toEqual(['CERT_WRONG_POLICY', { certificate: 'person', reason: 'PERSON_NO_LOA_POLICY', policies: ['1.3.6.1.4.1.32473.1.2'] }]);
    expect(refused?.message).toContain('tillitsnivå 3');
  });

  it('refuses an unknown card holder and one without an active permission, logging the HSA-ID', async () => {
    const { service, accessLog, trusted } = await authSetup();
    const stranger = await issuePersonCard(trusted, { hsaId: 'SE2321000131-P000000000999', givenName: 'Okänd', familyName: 'Person', algorithm: 'ec' });
    const leila = await issuePersonCard(trusted, { hsaId: LEILA.hsaId, givenName: 'Leila', familyName: 'Karimi', algorithm: 'ec' });
    expect(await codeOf(service.login(await loginToken(stranger, (await service.challenge()).nonce)))).toBe('UNKNOWN_CARD_HOLDER');
    expect(await codeOf(service.login(await loginToken(leila, (await service.challenge()).nonce)))).toBe('NO_ACTIVE_PERMISSION');
    expect(accessLog.events).toEqual([
      expect.objectContaining({ action: 'login_failed', errorCode: 'UNKNOWN_CARD_HOLDER', actorHsaId: 'SE2321000131-P000000000999', actorStaffId: undefined }),
      expect.objectContaining({ action: 'login_failed', errorCode: 'NO_ACTIVE_PERMISSION', actorHsaId: LEILA.hsaId, actorStaffId: LEILA.id, authMethod: 'card', loa: 3 }),
    ]);
  });

  it('never writes the signature, nonce or certificate into the access log', async () => {
    const { service, accessLog, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const tokens: LoginRequest[] = [];
    for (let i = 0; i < 2; i++) tokens.push(await loginToken(card, (await service.challenge()).nonce));
    await service.login(tokens[0]!);
    await codeOf(service.login({ ...tokens[1]!, signature: Buffer.alloc(64).toString('base64') }));
    const logged = JSON.stringify(accessLog.events);
    for (const t of tokens) {
      expect(logged).not.toContain(t.nonce);
      expect(logged).not.toContain(t.signature);
      expect(logged).not.toContain(t.certificate.slice(0, 40));
    }
  });
});

describe('sessions', () => {
  it('expire after the TTL, are renewed while the card is in, never beyond the maximum lifetime', async () => {
    const { service, clock, trusted } = await authSetup({ sessionTtlMs: 10 * 60_000, sessionMaxLifetimeMs: 25 * 60_000 });
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const { token } = await service.login(await loginToken(card, (await service.challenge()).nonce));
    clock.advance(9 * 60_000);
    const r1 = await service.renew(token);
    expect(new Date(r1.expiresAt).getTime()).toBe(clock.t + 10 * 60_000);
    clock.advance(9 * 60_000);
    const r2 = await service.renew(token);
    // 18 min after login: capped at 25 min.
    expect(new Date(r2.expiresAt).getTime()).toBe(clock.t + 7 * 60_000);
    clock.advance(7 * 60_000);
    expect(await codeOf(service.authenticate(token))).toBe('UNAUTHENTICATED');
    expect(await codeOf(service.renew(token))).toBe('UNAUTHENTICATED');
  });

  it('a session not renewed in time is gone', async () => {
    const { service, clock, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const { token } = await service.login(await loginToken(card, (await service.challenge()).nonce));
    clock.advance(10 * 60_000 + 1);
    expect(await codeOf(service.renew(token))).toBe('UNAUTHENTICATED');
  });

  it('logout revokes the token; renew ends the session when the last permission has ended', async () => {
    const { service, accessLog, staff, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    const a = await service.login(await loginToken(card, (await service.challenge()).nonce));
    await service.logout(a.token);
    expect(await codeOf(service.authenticate(a.token))).toBe('UNAUTHENTICATED');
    expect(await codeOf(service.logout(a.token))).toBe('UNAUTHENTICATED');

    const b = await service.login(await loginToken(card, (await service.challenge()).nonce));
    staff.permissions.set(ANNA.id, []);
    expect(await codeOf(service.renew(b.token))).toBe('NO_ACTIVE_PERMISSION');
    expect(await codeOf(service.authenticate(b.token))).toBe('UNAUTHENTICATED');
    expect(accessLog.events.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'login:success',
      'logout:success',
      'login:success',
      'session_renewed:failure',
    ]);
  });

  it('no session is handed out when the access log cannot record the login', async () => {
    const { service, deps, trusted } = await authSetup();
    const card = await issuePersonCard(trusted, { ...anna, algorithm: 'ec' });
    deps.accessLog.record = async () => {
      throw new Error('log down');
    };
    await expect(service.login(await loginToken(card, (await service.challenge()).nonce))).rejects.toThrow('log down');
  });
});

describe('openSession: the one way every login method opens a session', () => {
  it('opens a session of the method and level given, without a certificate, and logs both', async () => {
    const { service, accessLog, clock } = await authSetup();
    const res = await service.openSession({ staff: ANNA, method: 'oidc', loa: 2, workstation: 'WS-7', idp: { session: 'https://idp.test s1', expiresAt: new Date(clock.t + 120_000) } });
    expect(LoginResponse.parse(res).assurance).toEqual({ method: 'oidc', loa: 2 });
    // Not beyond the IdP's session: 2 minutes, not the 10-minute TTL.
    expect(new Date(res.expiresAt).getTime()).toBe(clock.t + 120_000);
    expect(await service.authenticate(res.token)).toMatchObject({ staffId: ANNA.id, method: 'oidc', loa: 2 });
    expect(accessLog.events).toEqual([expect.objectContaining({ action: 'login', outcome: 'success', actorHsaId: ANNA.hsaId, authMethod: 'oidc', loa: 2, certSha256: undefined })]);
    // Renewal never goes past the IdP's session: then a new login through the IdP.
    clock.advance(60_000);
    expect((await service.renew(res.token)).expiresAt).toBe(new Date(clock.t + 60_000).toISOString());
    clock.advance(60_000);
    expect(await codeOf(service.renew(res.token))).toBe('UNAUTHENTICATED');
    expect(accessLog.events.map((e) => `${e.action}:${e.authMethod}:${e.loa}`)).toEqual(['login:oidc:2', 'session_renewed:oidc:2']);
  });

  it('refuses a person without a permission today, logged with method and level; a card session needs its certificate', async () => {
    const { service, accessLog } = await authSetup();
    expect(await codeOf(service.openSession({ staff: LEILA, method: 'password_sms', loa: 2 }))).toBe('NO_ACTIVE_PERMISSION');
    expect(accessLog.events).toEqual([expect.objectContaining({ action: 'login_failed', errorCode: 'NO_ACTIVE_PERMISSION', actorHsaId: LEILA.hsaId, authMethod: 'password_sms', loa: 2 })]);
    await expect(service.openSession({ staff: ANNA, method: 'card', loa: 3 })).rejects.toThrow(/certificate/);
  });
});
