import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import * as client from 'openid-client';
import { AppFailure, HsaId, type ErrorCode, type Loa, type LoginResponse, type OidcFinishRequest, type OidcStartRequest, type OidcStartResponse } from '#contract';
import type { AccessLog } from '../audit/access-events';
import type { OpenSessionInput } from './service';
import type { SqlClient } from './sql';
import type { StaffDirectory } from './staff';

/**
 * Login through the organisation's identity provider (OpenID Connect; issue 29, docs/login.md).
 * The server is the registered client: it makes state and nonce, builds the authorization URL with
 * the workstation's PKCE challenge and loopback redirect, redeems the code with the workstation's
 * verifier (openid-client), then validates the ID token once more on its own (jose): signature
 * from the IdP's JWKS, issuer, audience, expiry, nonce. The level comes from `acr`, the person from
 * the HSA-ID claim; the session is opened like the card's (openSession).
 */
export interface OidcSettings {
  /** The IdP's issuer identifier (its discovery document is at <issuer>/.well-known/openid-configuration). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What staff call it on the login screen, e.g. "SITHS eID". */
  name: string;
  /** The ID-token claim that carries the HSA-ID (Inera: employeeHsaId). */
  hsaIdClaim: string;
  /** acr value → assurance level; an acr not listed is refused. */
  acrLoa: Record<string, Loa>;
  /** The lowest level a login may have (default 2). */
  minLoa: Loa;
  scope: string;
  /** Plain http to the IdP: only for an IdP on this computer (tests, development). */
  allowHttp: boolean;
}

export interface PendingOidcLogin {
  state: string;
  nonce: string;
  codeChallenge: string;
  redirectUri: string;
  expiresAt: Date;
}

export interface OidcLoginStore {
  put(login: PendingOidcLogin, now: Date): Promise<void>;
  /** The login of this state, marked used; null when unknown, used or expired (atomic: one winner). */
  consume(state: string, now: Date): Promise<PendingOidcLogin | null>;
  /** Records a logout token's jti; false when this issuer's jti was seen before (a replay). Atomic. */
  useLogoutJti(issuer: string, jti: string, keepUntil: Date, now: Date): Promise<boolean>;
}

export const OIDC_LOGIN_TTL_MS = 5 * 60_000;
/** Leeway for the IdP's and our clocks in exp/iat/nbf (seconds). */
const CLOCK_TOLERANCE_S = 30;

export class InMemoryOidcLoginStore implements OidcLoginStore {
  private readonly logins = new Map<string, PendingOidcLogin>();
  async put(login: PendingOidcLogin, now: Date) {
    for (const [s, l] of this.logins) if (l.expiresAt.getTime() <= now.getTime()) this.logins.delete(s);
    this.logins.set(login.state, login);
  }
  async consume(state: string, now: Date) {
    const l = this.logins.get(state);
    this.logins.delete(state);
    return l && l.expiresAt.getTime() > now.getTime() ? l : null;
  }
  private readonly jtis = new Map<string, Date>();
  async useLogoutJti(issuer: string, jti: string, keepUntil: Date, now: Date) {
    for (const [k, until] of this.jtis) if (until.getTime() <= now.getTime()) this.jtis.delete(k);
    const key = `${issuer} ${jti}`;
    if (this.jtis.has(key)) return false;
    this.jtis.set(key, keepUntil);
    return true;
  }
}

/** Table oidc_logins (server/migrations/0071_oidc_logins.sql). */
export class SqlOidcLoginStore implements OidcLoginStore {
  constructor(private readonly db: SqlClient) {}
  async put(l: PendingOidcLogin, now: Date) {
    await this.db.query('DELETE FROM oidc_logins WHERE expires_at < $1', [new Date(now.getTime() - 3600_000)]);
    await this.db.query('INSERT INTO oidc_logins (state, nonce, code_challenge, redirect_uri, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      l.state,
      l.nonce,
      l.codeChallenge,
      l.redirectUri,
      l.expiresAt,
    ]);
  }
  async consume(state: string, now: Date) {
    const { rows } = await this.db.query<{ state: string; nonce: string; code_challenge: string; redirect_uri: string; expires_at: Date | string }>(
      `UPDATE oidc_logins SET used_at = $2 WHERE state = $1 AND used_at IS NULL AND expires_at > $2
       RETURNING state, nonce, code_challenge, redirect_uri, expires_at`,
      [state, now],
    );
    const r = rows[0];
    return r ? { state: r.state, nonce: r.nonce, codeChallenge: r.code_challenge, redirectUri: r.redirect_uri, expiresAt: new Date(r.expires_at) } : null;
  }
  /** Table oidc_logout_tokens (server/migrations/0085_oidc_logout_tokens.sql). */
  async useLogoutJti(issuer: string, jti: string, keepUntil: Date, _now: Date) {
    const { rows } = await this.db.query('INSERT INTO oidc_logout_tokens (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1', [issuer, jti, keepUntil]);
    return rows.length === 1;
  }
}

export interface OidcDeps {
  settings: OidcSettings;
  store: OidcLoginStore;
  staff: StaffDirectory;
  accessLog: AccessLog;
  openSession(input: OpenSessionInput): Promise<LoginResponse>;
  /** Ends every session resting on this IdP session (`<issuer> <sid>`); how many (back-channel logout). */
  endIdpSession?(idpSession: string): Promise<number>;
  now?: () => Date;
}

/** The event a logout token must carry (OpenID Connect Back-Channel Logout 1.0, 2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old (by iat) a logout token may be, and so how long its jti is kept. */
export const LOGOUT_TOKEN_MAX_AGE_S = 300;

/** What a validated ID token says. */
export interface IdTokenFacts {
  hsaId: string;
  loa: Loa;
  /** `<issuer> <sid>` when the IdP names its session. */
  idpSession?: string;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const failure = (code: ErrorCode, message: string, reason: string) => new AppFailure(code, message, { reason });

export type OidcLogin = ReturnType<typeof createOidcLogin>;

export function createOidcLogin(deps: OidcDeps) {
  const s = deps.settings;
  const now = deps.now ?? (() => new Date());
  let configuration: Promise<client.Configuration> | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  /** The IdP's discovery document, fetched once (again after a failure). */
  function config(): Promise<client.Configuration> {
    configuration ??= client
      .discovery(new URL(s.issuer), s.clientId, undefined, client.ClientSecretBasic(s.clientSecret), s.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        configuration = undefined;
        throw new AppFailure('SERVER_UNREACHABLE', `The identity provider's discovery failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    return configuration;
  }

  async function keys() {
    const c = await config();
    const uri = c.serverMetadata().jwks_uri;
    if (!uri) throw new AppFailure('SERVER_UNREACHABLE', 'The identity provider names no jwks_uri');
    jwks ??= createRemoteJWKSet(new URL(uri));
    return jwks;
  }

  /**
   * A JWT the IdP signed for us (an ID token, a logout token), by our own code (jose): a key of the
   * IdP's JWKS (RS/PS/ES only; never none or HS), iss, aud, exp/iat with 30 s leeway, and `more`.
   * A refusal is `code` with `details.reason` TOKEN_EXPIRED, TOKEN_CLAIM_<claim> or TOKEN_INVALID.
   */
  async function verifyFromIdp(token: string, code: ErrorCode, what: string, more: Pick<JWTVerifyOptions, 'currentDate' | 'maxTokenAge' | 'requiredClaims'>): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, await keys(), {
        issuer: s.issuer,
        audience: s.clientId,
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
        clockTolerance: CLOCK_TOLERANCE_S,
        ...more,
      });
      return payload;
    } catch (e) {
      if (e instanceof AppFailure) throw e;
      const why = (e as { code?: string }).code ?? 'ERR_JWT_INVALID';
      throw failure(code, `The ${what} was refused: ${why}`, why === 'ERR_JWT_EXPIRED' ? 'TOKEN_EXPIRED' : why === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? `TOKEN_CLAIM_${(e as { claim?: string }).claim ?? 'unknown'}` : 'TOKEN_INVALID');
    }
  }

  const acrFor = (loa: Loa): string | undefined => Object.entries(s.acrLoa).find(([, l]) => l === loa)?.[0];

  async function start(req: OidcStartRequest): Promise<OidcStartResponse> {
    const at = now();
    const c = await config();
    const state = b64url(randomBytes(32));
    const nonce = b64url(randomBytes(32));
    const expiresAt = new Date(at.getTime() + OIDC_LOGIN_TTL_MS);
    await deps.store.put({ state, nonce, codeChallenge: req.codeChallenge, redirectUri: req.redirectUri, expiresAt }, at);
    const acr = req.loa !== undefined ? acrFor(req.loa) : undefined;
    if (req.loa !== undefined && !acr) throw new AppFailure('VALIDATION', `No acr value is configured for LoA${req.loa}`);
    const url = client.buildAuthorizationUrl(c, {
      redirect_uri: req.redirectUri,
      scope: s.scope,
      response_type: 'code',
      code_challenge: req.codeChallenge,
      code_challenge_method: 'S256',
      state,
      nonce,
      // Always a fresh login at the IdP: the workstation is shared, and the system browser may still
      // hold the previous person's IdP session (which would sign the next person in as her); a
      // step-up (acr_values LoA3) must not be answered from a LoA2 session either.
      prompt: 'login',
      ...(acr ? { acr_values: acr } : {}),
    });
    return { authorizationUrl: url.href, state, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Our own validation of an ID token, independent of openid-client's: the signature with a key
   * from the IdP's JWKS (RS/ES/PS only; never none or HS), issuer, audience (and azp when several),
   * expiry and issued-at against our clock, the nonce of this login, the level from acr, the HSA-ID.
   */
  async function validateIdToken(idToken: string, nonce: string): Promise<IdTokenFacts> {
    const claims = await verifyFromIdp(idToken, 'IDP_LOGIN_FAILED', 'ID token', { currentDate: now(), requiredClaims: ['exp', 'iat', 'sub', 'nonce'] });
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== s.clientId) throw failure('IDP_LOGIN_FAILED', 'The ID token names another authorized party', 'TOKEN_CLAIM_azp');
    if (claims.nonce !== nonce) throw failure('IDP_LOGIN_FAILED', 'The ID token carries another nonce', 'TOKEN_CLAIM_nonce');
    const acr = typeof claims.acr === 'string' ? claims.acr : undefined;
    const loa = acr !== undefined ? s.acrLoa[acr] : undefined;
    if (loa === undefined) throw failure('IDP_LOA_REFUSED', 'The IdP asserted no known assurance level', 'ACR_UNKNOWN');
    if (loa < s.minLoa) throw failure('IDP_LOA_REFUSED', `LoA${loa} is below the lowest accepted (LoA${s.minLoa})`, 'ACR_TOO_LOW');
    const hsaId = claims[s.hsaIdClaim];
    // The value is not echoed: a wrong claim might carry a personnummer.
    if (typeof hsaId !== 'string' || !HsaId.safeParse(hsaId).success) throw failure('IDP_UNKNOWN_PERSON', `The ID token's ${s.hsaIdClaim} claim is no HSA-ID`, 'NO_HSA_ID');
    const sid = typeof claims.sid === 'string' && claims.sid.length <= 200 ? claims.sid : undefined;
    return { hsaId, loa, ...(sid ? { idpSession: `${s.issuer} ${sid}` } : {}) };
  }

  /**
   * The redirect came back to the workstation: state (once), the PKCE verifier against the challenge
   * sent, the code redeemed at the IdP, the ID token validated, the person known — then the session.
   * Every outcome is in the access log with method 'oidc'.
   */
  async function finish(req: OidcFinishRequest): Promise<LoginResponse> {
    const at = now();
    const workstation = req.workstation;
    let actorHsaId: string | undefined;
    let loa: Loa | undefined;
    let recorded = false;
    const refuse = async (e: AppFailure): Promise<never> => {
      recorded = true;
      await deps.accessLog.record({ action: 'login_failed', outcome: 'failure', errorCode: e.code, actorHsaId, workstation, authMethod: 'oidc', ...(loa ? { loa } : {}), at });
      throw e;
    };
    try {
      const pending = await deps.store.consume(req.state, at);
      if (!pending) return await refuse(failure('IDP_LOGIN_FAILED', 'Unknown, expired or already used state', 'STATE'));
      if (b64url(createHash('sha256').update(req.codeVerifier, 'ascii').digest()) !== pending.codeChallenge) {
        return await refuse(failure('IDP_LOGIN_FAILED', 'The PKCE verifier does not fit the challenge', 'PKCE'));
      }
      const c = await config();
      const current = new URL(pending.redirectUri);
      current.searchParams.set('code', req.code);
      current.searchParams.set('state', req.state);
      if (req.iss !== undefined) current.searchParams.set('iss', req.iss);
      let idToken: string | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(c, current, { pkceCodeVerifier: req.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
        idToken = tokens.id_token;
      } catch (e) {
        const why = e instanceof client.ResponseBodyError ? e.error : ((e as { code?: string }).code ?? 'ERROR');
        return await refuse(failure('IDP_LOGIN_FAILED', `The identity provider refused the code or its answer did not validate: ${why}`, why === 'invalid_grant' ? 'CODE' : 'TOKEN_INVALID'));
      }
      if (!idToken) return await refuse(failure('IDP_LOGIN_FAILED', 'No ID token', 'TOKEN_INVALID'));
      let facts: IdTokenFacts;
      try {
        facts = await validateIdToken(idToken, pending.nonce);
      } catch (e) {
        if (e instanceof AppFailure) return await refuse(e);
        throw e;
      }
      actorHsaId = facts.hsaId;
      loa = facts.loa;
      const staff = await deps.staff.findStaffByHsaId(facts.hsaId);
      if (!staff) return await refuse(failure('IDP_UNKNOWN_PERSON', 'No staff member has this HSA-ID', 'UNKNOWN_HSA_ID'));
      // openSession records its own outcome.
      recorded = true;
      return await deps.openSession({ staff, method: 'oidc', loa: facts.loa, workstation, at, ...(facts.idpSession ? { idp: { session: facts.idpSession } } : {}) });
    } catch (e) {
      // Unexpected, or the IdP unreachable: still an attempt in the log, best effort.
      const code: ErrorCode = e instanceof AppFailure ? e.code : 'INTERNAL';
      if (!recorded) await deps.accessLog.record({ action: 'login_failed', outcome: 'failure', errorCode: code, actorHsaId, workstation, authMethod: 'oidc', at }).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the IdP POSTs a logout token when
   * its session ends. Validated like an ID token by our own code (jose: signature from the IdP's
   * JWKS, RS/PS/ES only; iss; aud; iat within LOGOUT_TOKEN_MAX_AGE_S and 30 s leeway; exp if
   * present), then: the backchannel-logout event, no nonce (an ID token is no logout token), a sid
   * (we register backchannel_logout_session_required), a jti not seen before. Every session resting
   * on that IdP session ends. Throws AppFailure VALIDATION with `details.reason` on a refusal.
   */
  async function backchannelLogout(logoutToken: string): Promise<{ ended: number }> {
    const at = now();
    const claims = await verifyFromIdp(logoutToken, 'VALIDATION', 'logout token', { currentDate: at, maxTokenAge: LOGOUT_TOKEN_MAX_AGE_S, requiredClaims: ['iat', 'jti', 'events'] });
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== undefined && claims.azp !== s.clientId) throw failure('VALIDATION', 'The logout token names another authorized party', 'TOKEN_CLAIM_azp');
    const events = claims.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events) || typeof (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] !== 'object') {
      throw failure('VALIDATION', 'The logout token carries no back-channel logout event', 'TOKEN_CLAIM_events');
    }
    if (claims.nonce !== undefined) throw failure('VALIDATION', 'A logout token must not carry a nonce', 'TOKEN_CLAIM_nonce');
    const sid = typeof claims.sid === 'string' && claims.sid.length > 0 && claims.sid.length <= 200 ? claims.sid : undefined;
    // Sessions are kept by the IdP's session id only: a token naming only sub cannot be mapped (and we ask for sid).
    if (!sid) throw failure('VALIDATION', 'The logout token names no session (sid)', 'TOKEN_CLAIM_sid');
    const jti = String(claims.jti);
    if (jti.length > 200 || !(await deps.store.useLogoutJti(s.issuer, jti, new Date(at.getTime() + (LOGOUT_TOKEN_MAX_AGE_S + CLOCK_TOLERANCE_S) * 1000), at))) {
      throw failure('VALIDATION', 'The logout token was used before', 'TOKEN_REPLAYED');
    }
    return { ended: (await deps.endIdpSession?.(`${s.issuer} ${sid}`)) ?? 0 };
  }

  return { start, finish, validateIdToken, backchannelLogout, settings: s };
}
