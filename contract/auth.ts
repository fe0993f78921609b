import { z } from 'zod';
import { StaffMember, Uuid } from './domain';

/**
 * Card-signed login between the workstation and the municipal server, modelled on the Web eID
 * authentication token (web-eid-authtoken-validation-java): the server hands out a single-use
 * nonce, the card signs hash(hash(origin) ‖ hash(nonce)) after the PIN, and the server validates
 * certificate, nonce and signature. See docs/login.md.
 */

/** The token format; bumped when the signed value or the fields change. */
export const LOGIN_TOKEN_FORMAT = 'omsorg-card-login:1';

/** Nonce lifetime and size (Web eID: ≥ 256 bits, ≤ 5 minutes). */
export const NONCE_BYTES = 32;
export const NONCE_TTL_MS = 5 * 60_000;

/**
 * Object identifiers used by the login. The certificate policy is the one OID a deployment must
 * configure: a real SITHS e-id Person HSA-id LoA3 policy OID is published by Inera ("Tolkning av
 * tillitsnivå", SITHS e-id) and is NOT hard-coded here. TEST_LOA3_POLICY_OID is our own test
 * policy, under IANA's enterprise number for documentation (32473, RFC 5612) so it can never be
 * a real policy; only the test/demo CA asserts it. Never configure it in production.
 */
export const OIDS = {
  /** X.520 serialNumber: SITHS e-id Person HSA-id certificates carry the HSA-ID here. */
  subjectSerialNumber: '2.5.4.5',
  givenName: '2.5.4.42',
  surname: '2.5.4.4',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  smartcardLogon: '1.3.6.1.4.1.311.20.2.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;
export const TEST_LOA3_POLICY_OID = '1.3.6.1.4.1.32473.1.3';

const base64url = (min: number, max: number) =>
  z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+$/, 'base64url');
const base64 = (min: number, max: number) =>
  z.string().min(min).max(max).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/** base64url without padding of NONCE_BYTES random bytes is 43 characters. */
export const Nonce = base64url(43, 128);

export const ChallengeResponse = z.object({
  nonce: Nonce,
  /** ISO 8601. */
  expiresAt: z.iso.datetime(),
});
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;

/** JOSE names; ES* signatures are raw r‖s (IEEE P1363), as the card returns them. */
export const SignatureAlgorithm = z.enum(['RS256', 'RS384', 'ES256', 'ES384', 'PS256']);
export type SignatureAlgorithm = z.infer<typeof SignatureAlgorithm>;

export const LoginRequest = z
  .object({
    format: z.literal(LOGIN_TOKEN_FORMAT),
    /** The nonce from /challenge, unchanged. */
    nonce: Nonce,
    /** The origin the workstation signed for, e.g. https://omsorg.example.se; must equal the server's configured origin. */
    origin: z.string().min(1).max(255),
    /** The card's authentication certificate, base64 DER. */
    certificate: base64(100, 16_384),
    algorithm: SignatureAlgorithm,
    /** base64 signature over signedData(origin, nonce). */
    signature: base64(16, 2_048),
    /** Optional workstation label for the access log (no personal data). */
    workstation: z.string().min(1).max(100).optional(),
  })
  .strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

/** The logged-in user: the staff member the certificate's HSA-ID names. */
export const LoginUser = StaffMember;
export type LoginUser = z.infer<typeof LoginUser>;

/** A unit the user holds an active permission for, and until when. */
export const PermittedUnit = z.object({
  unitId: Uuid,
  name: z.string(),
  /** First day, YYYY-MM-DD. */
  validFrom: z.iso.date(),
  /** Inclusive last day, YYYY-MM-DD; null: until further notice. */
  validTo: z.iso.date().nullable(),
});
export type PermittedUnit = z.infer<typeof PermittedUnit>;

/**
 * How a session was opened (issue 29, docs/login.md): the SITHS card, the organisation's identity
 * provider (OpenID Connect), or a password with a one-time code by SMS or YubiKey.
 */
export const AuthMethod = z.enum(['card', 'oidc', 'password_sms', 'password_yubikey']);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** Assurance level (tillitsnivå, LoA 1–4 as in Inera's and DIGG's frameworks); the card is LoA3. */
export const Loa = z.number().int().min(1).max(4);
export type Loa = z.infer<typeof Loa>;

/** The method and level of a session, as the workstation is told at login. */
export const SessionAssurance = z.object({ method: AuthMethod, loa: Loa });
export type SessionAssurance = z.infer<typeof SessionAssurance>;

export const LoginResponse = z.object({
  /** Opaque bearer token: `Authorization: Bearer <token>`. */
  token: z.string().min(43).max(128),
  expiresAt: z.iso.datetime(),
  user: LoginUser,
  /** Empty for a person who holds only a role (administrator, superuser, manager) and no unit permission. */
  units: z.array(PermittedUnit),
  /** The server's API version (API_VERSION); absent from servers before the handshake (version 1). */
  apiVersion: z.number().int().positive().optional(),
  /** How the session was opened and at which level; absent from servers before issue 29 (a card session, LoA3). */
  assurance: SessionAssurance.optional(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const RenewResponse = z.object({ expiresAt: z.iso.datetime() });
export type RenewResponse = z.infer<typeof RenewResponse>;

export const LogoutResponse = z.object({ ok: z.literal(true) });


/**
 * Login through the organisation's identity provider (OpenID Connect, issue 29; docs/login.md):
 * authorization code + PKCE from the system browser with a loopback redirect (RFC 8252). The
 * workstation makes the PKCE verifier and keeps it; the server (the registered client) makes state
 * and nonce, redeems the code with the verifier and validates the ID token.
 */
export const LoopbackRedirectUri = z
  .string()
  .max(200)
  .regex(/^http:\/\/127\.0\.0\.1:[1-9][0-9]{0,4}\/[A-Za-z0-9/_-]{0,100}$/, 'http://127.0.0.1:<port>/<path>');
/** base64url(SHA-256(verifier)): 43 characters. */
export const PkceChallenge = base64url(43, 43);
export const OidcStartRequest = z
  .object({
    redirectUri: LoopbackRedirectUri,
    codeChallenge: PkceChallenge,
    /** The level asked of the IdP (its acr_values); default the lowest the server accepts. */
    loa: Loa.optional(),
    workstation: z.string().min(1).max(100).optional(),
  })
  .strict();
export type OidcStartRequest = z.infer<typeof OidcStartRequest>;
export const OidcStartResponse = z.object({ authorizationUrl: z.url(), state: base64url(20, 128), expiresAt: z.iso.datetime() });
export type OidcStartResponse = z.infer<typeof OidcStartResponse>;
export const OidcFinishRequest = z
  .object({
    state: base64url(20, 128),
    code: z.string().min(1).max(2_048),
    /** RFC 7636: 43–128 characters of [A-Za-z0-9-._~]. */
    codeVerifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/),
    /** RFC 9207: the issuer the authorization response named, when it named one. */
    iss: z.string().max(300).optional(),
    workstation: z.string().min(1).max(100).optional(),
  })
  .strict();
export type OidcFinishRequest = z.infer<typeof OidcFinishRequest>;
/**
 * The functions whose assurance level the server's configuration sets (server/auth/assurance.ts):
 * client data (brukaruppgifter: clients, journal, day notes, plans, assignments, deviations …),
 * the administration, the notice board, messages without client data, one's own settings.
 */
export const ASSURED_FUNCTIONS = ['client_data', 'administration', 'notices', 'messages', 'own_settings'] as const;
export const AssuredFunction = z.enum(ASSURED_FUNCTIONS);
export type AssuredFunction = z.infer<typeof AssuredFunction>;
export const AssuranceRow = z.object({ function: AssuredFunction, loa: Loa });
export type AssuranceRow = z.infer<typeof AssuranceRow>;

/** Which login methods this server offers (the login screen shows their buttons), and what each level opens. */
export const LoginMethodsResponse = z.object({
  card: z.boolean(),
  /** The identity provider, by the name staff know it (e.g. "SITHS eID"); null: none configured. */
  oidc: z.object({ name: z.string(), issuer: z.string(), levels: z.array(Loa) }).nullable(),
  /** The level each function needs (absent from servers before issue 29: everything at LoA3, the card's). */
  assurance: z.array(AssuranceRow).optional(),
});
export type LoginMethodsResponse = z.infer<typeof LoginMethodsResponse>;

export const oidcRoutes = {
  methods: { method: 'GET', path: '/api/v1/auth/methods', response: LoginMethodsResponse },
  start: { method: 'POST', path: '/api/v1/auth/oidc/start', body: OidcStartRequest, response: OidcStartResponse },
  finish: { method: 'POST', path: '/api/v1/auth/oidc/finish', body: OidcFinishRequest, response: LoginResponse },
  /** Called by the identity provider, not the workstation: OpenID Connect Back-Channel Logout 1.0 (form field `logout_token`). */
  backchannelLogout: { method: 'POST', path: '/api/v1/auth/oidc/backchannel-logout' },
} as const;

export const authRoutes = {
  challenge: { method: 'POST', path: '/api/v1/auth/challenge', response: ChallengeResponse },
  login: { method: 'POST', path: '/api/v1/auth/login', body: LoginRequest, response: LoginResponse },
  renew: { method: 'POST', path: '/api/v1/auth/renew', response: RenewResponse },
  logout: { method: 'POST', path: '/api/v1/auth/logout', response: LogoutResponse },
} as const;

/** The hash of an algorithm: SHA-256 for *256, SHA-384 for *384. */
export const hashOf = (algorithm: SignatureAlgorithm): 'SHA-256' | 'SHA-384' =>
  algorithm.endsWith('384') ? 'SHA-384' : 'SHA-256';

const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);
const digest = async (hash: string, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await globalThis.crypto.subtle.digest(hash, data));

/**
 * The authentication value: hash(origin) ‖ hash(nonce), over the UTF-8 bytes of both strings
 * (the nonce as its base64url text). A signature algorithm (RS256, ES256, …) hashes it once more,
 * so what the card finally signs is {@link signedData}.
 */
export async function authValue(origin: string, nonce: string, hash: 'SHA-256' | 'SHA-384' = 'SHA-256'): Promise<Uint8Array<ArrayBuffer>> {
  const [o, n] = await Promise.all([digest(hash, utf8(origin)), digest(hash, utf8(nonce))]);
  const out = new Uint8Array(o.length + n.length);
  out.set(o, 0);
  out.set(n, o.length);
  return out;
}

/**
 * What the card signs: hash(hash(origin) ‖ hash(nonce)) — SHA-256 for RS256/ES256/PS256,
 * SHA-384 for RS384/ES384. The workstation sends this digest to the card (PSO COMPUTE DIGITAL
 * SIGNATURE; for RSA wrapped in a PKCS#1 DigestInfo). Uses WebCrypto (global in Node 20 and browsers).
 */
export async function signedData(origin: string, nonce: string, hash: 'SHA-256' | 'SHA-384' = 'SHA-256'): Promise<Uint8Array<ArrayBuffer>> {
  return digest(hash, await authValue(origin, nonce, hash));
}
