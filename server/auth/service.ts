import type { AuthMethod, ChallengeResponse, Loa, LoginRequest, LoginResponse, RenewResponse } from '#contract';
import { AppFailure, type ErrorCode } from '#contract';
import type { AccessLog, AuthEvent } from '../audit/access-events';
import { CertificateFailure, checkRevocation, parseCertificate, sha256Hex, validateCertificate, type OcspChecker, type PolicyProcessing } from './certificate';
import type { NonceStore } from './nonces';
import { hashToken, newSessionToken, type SessionStore } from './sessions';
import { verifyLoginSignature } from './signature';
import type { StaffDirectory, StaffRecord } from './staff';
import type * as x509 from './x509';

export interface TrustConfig {
  /** SITHS e-id Root CA v2 (production) or the test root (dev/test). */
  trustAnchors: x509.X509Certificate[];
  /** SITHS e-id Person HSA-id 3 CA v1 etc.; cards may not send them. */
  intermediates: x509.X509Certificate[];
  /** LoA3 policy OID(s); at least one. */
  requiredPolicies: string[];
  /** 'person' (default): the LoA from the person certificate's policy; 'rfc5280': strict policy processing through the CAs too. */
  policyProcessing?: PolicyProcessing;
  ocsp?: OcspChecker;
}

export interface AuthDeps {
  nonces: NonceStore;
  sessions: SessionStore;
  staff: StaffDirectory;
  accessLog: AccessLog;
  trust: TrustConfig;
  /**
   * The origin the workstation signs for, e.g. https://omsorg.kommun.se; compared exactly. A
   * function is asked at every login (the listening address may be known only after start-up).
   */
  expectedOrigin: string | (() => string);
  now?: () => Date;
  /** Session lifetime without renewal; default 10 minutes. */
  sessionTtlMs?: number;
  /** No renewal beyond this after login; default 12 hours. */
  sessionMaxLifetimeMs?: number;
  /**
   * The per-card login count (server/http/rate-limit.ts), asked only once the token's signature
   * verified: garbage carrying someone's public certificate costs that person nothing. Throws
   * AppFailure RATE_LIMITED (details.retryAfterS) past the limit.
   */
  limitCard?: (certSha256: string) => Promise<void>;
  /**
   * A failed login by nobody known (the certificate did not validate, so no HSA-ID): true when it
   * gets its own access-log row (the first of its window), false when it is only counted into the
   * window's summary row (server/auth/anonymous-failures.ts). Absent: a row each.
   */
  anonymousFailure?: (at: Date) => Promise<boolean>;
  /** At renewal, revocation is asked again at most this often per session; default 5 minutes. */
  revocationRecheckMs?: number;
}

/** What requireSession puts on the request. */
export interface AuthSession {
  staffId: string;
  hsaId: string;
  expiresAt: Date;
  /** How the session was opened (issue 29). */
  method: AuthMethod;
  /** Its assurance level: what it may open (server/auth/assurance.ts). */
  loa: Loa;
}

/**
 * What opens a session, whatever the method (issue 29): the card login after its token validated,
 * the identity provider's login after its ID token validated, a password + one-time code login
 * after both checked. The method has already established who `staff` is; openSession checks what
 * every method shares (the officer's role, a permission valid today), creates the session and
 * records the login (with method and level) in the access log.
 */
export interface OpenSessionInput {
  staff: StaffRecord;
  method: AuthMethod;
  loa: Loa;
  /** A card login's certificate: its SHA-256 (hex) and, with OCSP on, its DER for the renewal's re-check. Card only. */
  cert?: { sha256: string; der?: Uint8Array };
  /** An identity provider's session the new one rests on: ended with it (session: `<issuer> <sid>`); not renewed beyond expiresAt. */
  idp?: { session?: string; expiresAt?: Date };
  audience?: 'workstation' | 'officer';
  workstation?: string;
  /** The login's time; default now. */
  at?: Date;
}

export interface LoginContext {
  workstation?: string;
  /**
   * `workstation` (default): provider staff, at least one permission valid today.
   * `officer`: the municipality's case officer (role case_officer), who holds no unit permission;
   * anyone else is refused FORBIDDEN. Used by POST /api/v1/officer/auth/login (docs/assignments.md).
   */
  audience?: 'workstation' | 'officer';
}

export type AuthService = ReturnType<typeof createAuthService>;

const SESSION_TTL_MS = 10 * 60_000;
const SESSION_MAX_MS = 12 * 3600_000;

export function createAuthService(deps: AuthDeps) {
  const now = deps.now ?? (() => new Date());
  const ttl = deps.sessionTtlMs ?? SESSION_TTL_MS;
  const maxLifetime = deps.sessionMaxLifetimeMs ?? SESSION_MAX_MS;

  const record = (e: Omit<AuthEvent, 'at'>, at: Date) => deps.accessLog.record({ ...e, at });
  /** The actor of a session's row: who, where, and the session's method and level. */
  const who = (s: AuthSession, ctx: LoginContext) =>
    ({ actorHsaId: s.hsaId, actorStaffId: s.staffId, workstation: ctx.workstation, authMethod: s.method, loa: s.loa }) as const;

  async function challenge(): Promise<ChallengeResponse> {
    const { nonce, expiresAt } = await deps.nonces.issue(now());
    return { nonce, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Validates a login token: nonce (single use, consumed first so a failed attempt burns it),
   * certificate, signature over signedData(expected origin, nonce), card holder, permission.
   * Every outcome is recorded; failures throw AppFailure with the login error code.
   */
  async function login(req: LoginRequest, ctx: LoginContext = {}): Promise<LoginResponse> {
    const at = now();
    const workstation = ctx.workstation ?? req.workstation;
    const certDer = Buffer.from(req.certificate, 'base64');
    const certSha256 = sha256Hex(certDer);
    let actorHsaId: string | undefined;
    let staffId: string | undefined;

    let recorded = false;
    const failed = async (code: ErrorCode, message: string, details?: AppFailure['details']): Promise<never> => {
      recorded = true;
      // Nobody known: a flood of these becomes one summary row per window, not a row each.
      if (actorHsaId !== undefined || !deps.anonymousFailure || (await deps.anonymousFailure(at))) {
        await record({ action: 'login_failed', outcome: 'failure', errorCode: code, actorHsaId, actorStaffId: staffId, certSha256, workstation, authMethod: 'card' }, at);
      }
      throw new AppFailure(code, message, details);
    };

    try {
      if (!(await deps.nonces.consume(req.nonce, at))) return await failed('NONCE_INVALID', 'Unknown, expired or already used nonce');

      // The chain, validity, usage and policy first; revocation only once the signature verified.
      const { ocsp, ...offline } = deps.trust;
      let cert: Awaited<ReturnType<typeof validateCertificate>>;
      try {
        cert = await validateCertificate(certDer, { ...offline, now: at });
      } catch (e) {
        if (e instanceof CertificateFailure) actorHsaId = e.hsaId;
        // The certificate's refusal keeps its details (which certificate lacked what, e.g. PERSON_NO_LOA_POLICY).
        if (e instanceof AppFailure) return await failed(e.code, e.message, e.details);
        throw e;
      }
      actorHsaId = cert.hsaId;

      const expectedOrigin = typeof deps.expectedOrigin === 'function' ? deps.expectedOrigin() : deps.expectedOrigin;
      if (!expectedOrigin || req.origin !== expectedOrigin) return await failed('SIGNATURE_INVALID', 'The token was made for another origin');
      const signature = Buffer.from(req.signature, 'base64');
      if (!(await verifyLoginSignature(cert.certificate, req.algorithm, signature, expectedOrigin, req.nonce))) {
        return await failed('SIGNATURE_INVALID', 'The signature does not verify');
      }
      // Only a login the card really signed counts against the card.
      try {
        await deps.limitCard?.(certSha256);
      } catch (e) {
        if (e instanceof AppFailure) return await failed(e.code, e.message, e.details);
        throw e;
      }
      if (ocsp) {
        try {
          await checkRevocation(cert.certificate, cert.chain, ocsp, at);
        } catch (e) {
          if (e instanceof AppFailure) return await failed(e.code, e.message);
          throw e;
        }
      }

      const staff = await deps.staff.findStaffByHsaId(cert.hsaId);
      if (!staff) return await failed('UNKNOWN_CARD_HOLDER', 'No staff member has this HSA-ID');
      staffId = staff.id;
      // openSession records its own outcome, whatever it is.
      recorded = true;
      return await openSession({
        staff,
        method: 'card',
        loa: 3,
        cert: { sha256: certSha256, ...(ocsp ? { der: new Uint8Array(certDer) } : {}) },
        audience: ctx.audience ?? 'workstation',
        workstation,
        at,
      });
    } catch (e) {
      if (e instanceof AppFailure && recorded) throw e;
      // Unexpected (database down, …): still an attempt in the log, best effort.
      if (!recorded) await record({ action: 'login_failed', outcome: 'failure', errorCode: 'INTERNAL', actorHsaId, actorStaffId: staffId, certSha256, workstation, authMethod: 'card' }, at).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Opens a session for a person a login method has established (OpenSessionInput): the officer's
   * role or a permission valid today, the session, and its access-log row with method and level.
   * Every outcome is recorded; a refusal throws AppFailure (FORBIDDEN, NO_ACTIVE_PERMISSION).
   */
  async function openSession(input: OpenSessionInput): Promise<LoginResponse> {
    const at = input.at ?? now();
    const { staff, method, loa, workstation } = input;
    const certSha256 = input.cert?.sha256;
    if (method === 'card' && !certSha256) throw new Error('openSession: a card session needs its certificate');
    const base = { actorHsaId: staff.hsaId, actorStaffId: staff.id, certSha256, workstation, authMethod: method, loa } as const;
    let recorded = false;
    const refuse = async (code: ErrorCode, message: string): Promise<never> => {
      recorded = true;
      await record({ action: 'login_failed', outcome: 'failure', errorCode: code, ...base }, at);
      throw new AppFailure(code, message);
    };
    try {
      const officer = input.audience === 'officer';
      if (officer && staff.role !== 'case_officer') return await refuse('FORBIDDEN', 'Only case officers log in here');
      const units = officer ? [] : await deps.staff.activePermissions(staff.id, at);
      if (!officer && units.length === 0 && !(await deps.staff.holdsRole?.(staff.id, at))) return await refuse('NO_ACTIVE_PERMISSION', 'No active permission');

      const token = newSessionToken();
      const absolute = at.getTime() + maxLifetime;
      const expiresAt = new Date(Math.min(at.getTime() + ttl, absolute, input.idp?.expiresAt?.getTime() ?? Infinity));
      const tokenHash = hashToken(token);
      await deps.sessions.create({
        tokenHash,
        staffId: staff.id,
        hsaId: staff.hsaId,
        ...(certSha256 ? { certSha256 } : {}),
        createdAt: at,
        expiresAt,
        absoluteExpiresAt: new Date(absolute),
        audience: officer ? 'officer' : 'workstation',
        ...(input.cert?.der ? { certificate: input.cert.der, revocationCheckedAt: at } : {}),
        method,
        loa,
        ...(input.idp?.session ? { idpSession: input.idp.session } : {}),
        ...(input.idp?.expiresAt ? { idpExpiresAt: input.idp.expiresAt } : {}),
      });
      try {
        await record({ action: 'login', outcome: 'success', ...base }, at);
        recorded = true;
      } catch (e) {
        // No session without its access-log entry.
        await deps.sessions.revoke(tokenHash, at);
        throw e;
      }
      const { id, hsaId, givenName, familyName, title, role } = staff;
      return { token, expiresAt: expiresAt.toISOString(), user: { id, hsaId, givenName, familyName, title, role }, units, assurance: { method, loa } };
    } catch (e) {
      if (!recorded) await record({ action: 'login_failed', outcome: 'failure', errorCode: 'INTERNAL', ...base }, at).catch(() => undefined);
      throw e;
    }
  }

  /** The live session of a bearer token, or UNAUTHENTICATED. */
  async function authenticate(token: string | undefined): Promise<AuthSession & { tokenHash: string }> {
    if (!token) throw new AppFailure('UNAUTHENTICATED', 'No session token');
    const tokenHash = hashToken(token);
    const s = await deps.sessions.find(tokenHash, now());
    if (!s) throw new AppFailure('UNAUTHENTICATED', 'Session expired or unknown');
    return { tokenHash, staffId: s.staffId, hsaId: s.hsaId, expiresAt: s.expiresAt, method: s.method ?? 'card', loa: s.loa ?? 3 };
  }

  /** Extends a live session by the TTL (never beyond its maximum lifetime) while the card stays in. */
  async function renew(token: string | undefined, ctx: LoginContext = {}): Promise<RenewResponse> {
    const at = now();
    const s = await authenticate(token);
    const session = await deps.sessions.find(s.tokenHash, at);
    if (!session) throw new AppFailure('UNAUTHENTICATED', 'Session expired or unknown');
    // A case officer's session holds no unit permission by design (her login asks for none).
    if (
      session.audience !== 'officer' &&
      (await deps.staff.activePermissions(s.staffId, at)).length === 0 &&
      !(await deps.staff.holdsRole?.(s.staffId, at))
    ) {
      await deps.sessions.revoke(s.tokenHash, at);
      await record({ action: 'session_renewed', outcome: 'failure', errorCode: 'NO_ACTIVE_PERMISSION', ...who(s, ctx) }, at);
      throw new AppFailure('NO_ACTIVE_PERMISSION', 'No active permission');
    }
    await recheckRevocation(s, session, at, ctx);
    // An identity provider's session bounds ours: past it, a new login through the IdP.
    const expiresAt = new Date(Math.min(at.getTime() + ttl, session.absoluteExpiresAt.getTime(), session.idpExpiresAt?.getTime() ?? Infinity));
    if (expiresAt.getTime() <= at.getTime() || !(await deps.sessions.extend(s.tokenHash, expiresAt, at))) {
      throw new AppFailure('UNAUTHENTICATED', 'Session cannot be renewed; log in again');
    }
    await record({ action: 'session_renewed', outcome: 'success', ...who(s, ctx) }, at);
    return { expiresAt: expiresAt.toISOString() };
  }

  /**
   * A card revoked after login cannot keep renewing (issue 25 point 7): with OCSP on, the renewal
   * asks again (at most every revocationRecheckMs), with the login's rules — revoked or unknown
   * ends the session; an unreachable responder is stood in for by the last good answer within the
   * grace (this node's, or the session's own from login or an earlier renewal on any node).
   */
  async function recheckRevocation(s: AuthSession & { tokenHash: string }, session: import('./sessions').Session, at: Date, ctx: LoginContext): Promise<void> {
    const ocsp = deps.trust.ocsp;
    if (!ocsp || !session.certificate) return;
    const last = session.revocationCheckedAt?.getTime() ?? 0;
    if (at.getTime() - last < (deps.revocationRecheckMs ?? 5 * 60_000)) return;
    const { ocsp: _ocsp, ...offline } = deps.trust;
    const leaf = parseCertificate(session.certificate);
    try {
      const cert = await validateCertificate(session.certificate, { ...offline, now: at });
      await checkRevocation(leaf, cert.chain, ocsp, at, session.revocationCheckedAt);
    } catch (e) {
      if (!(e instanceof AppFailure)) throw e;
      await deps.sessions.revoke(s.tokenHash, at);
      await record({ action: 'session_renewed', outcome: 'failure', errorCode: e.code, ...who(s, ctx) }, at);
      throw new AppFailure(e.code, e.message);
    }
    // Only a verified answer moves the time the grace counts from (a stand-in must not extend it).
    const verified = ocsp.lastVerifiedGood ? ocsp.lastVerifiedGood(leaf) : at;
    if (verified && verified.getTime() > last) await deps.sessions.revocationChecked?.(s.tokenHash, new Date(Math.min(verified.getTime(), at.getTime())));
  }

  async function logout(token: string | undefined, ctx: LoginContext = {}): Promise<void> {
    const at = now();
    const s = await authenticate(token);
    await deps.sessions.revoke(s.tokenHash, at);
    await record({ action: 'logout', outcome: 'success', ...who(s, ctx) }, at);
  }

  /**
   * The identity provider ended its session (back-channel logout, server/auth/oidc.ts): every
   * session resting on it ends, each with a `logout` row in the access log. How many ended.
   */
  async function endIdpSession(idpSession: string): Promise<number> {
    const at = now();
    const ended = (await deps.sessions.revokeIdpSession?.(idpSession, at)) ?? [];
    for (const s of ended) await record({ action: 'logout', outcome: 'success', actorHsaId: s.hsaId, actorStaffId: s.staffId, authMethod: s.method, loa: s.loa }, at);
    return ended.length;
  }

  return { challenge, login, openSession, authenticate, renew, logout, endIdpSession, now };
}
