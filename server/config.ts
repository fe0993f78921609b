import { readFileSync } from 'node:fs';
import type { KsiList } from '#contract';
import { readAssurance, type AssuranceLevels } from './auth/assurance';
import { POLICY_PROCESSING, type PolicyProcessing } from './auth/certificate';
import type { OidcSettings } from './auth/oidc';
import type { PasswordLoginOptions } from './auth/password';
import { readPasswordLoginConfig } from './auth/password/config';
import { DEFAULT_HTTP_LIMITS, parseProxyEntry, type HttpLimits } from './http/connections';
import { SERVER_REGISTRY } from './kinds';
import { readKsiList } from './plans/ksi';
import type { RetentionDays } from './sync/retention';

/** Server settings from the environment (see server/main.ts for what each one does). */
export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  /** The owner role's URL: migrations run as it, the server as DATABASE_URL's role (server/db/roles.ts). */
  migrationDatabaseUrl?: string;
  /** Embedded PGlite in `dataDir` (EMBEDDED=1 or --embedded); without it and without DATABASE_URL the server refuses to start. */
  embedded: boolean;
  dataDir: string;
  /** The request pool (server/db/postgres.ts), from the DATABASE_* settings below. */
  pool: PoolSettings;
  /** Where LISTEN and the scheduled jobs' leadership connect: PostgreSQL itself, not a transaction-mode PgBouncer (default DATABASE_URL). */
  listenUrl?: string;
  seed: boolean;
  /** Migrate at start (default); MIGRATE_ON_START=0: refuse to start on a database that is behind instead. */
  migrateOnStart: boolean;
  logLevel: string;
  /** Card login; absent when TRUST_ANCHORS is not set (login disabled). */
  auth?: {
    trustAnchorFiles: string[];
    intermediateFiles: string[];
    requiredPolicies: string[];
    /** POLICY_PROCESSING: person (default, the LoA from the person certificate's policy) or rfc5280 (strict, through every CA). */
    policyProcessing: PolicyProcessing;
    /** Revocation by OCSP (server/auth/ocsp.ts); absent when OCSP is off. */
    ocsp?: { url?: string; graceMs: number };
  };
  /** Login through the organisation's identity provider (OIDC_ISSUER …; readOidc); absent: card only. */
  oidc?: OidcSettings;
  /** LOA_LEVELS: the assurance level each function needs (server/auth/assurance.ts). */
  assurance: AssuranceLevels;
  /** Password + one-time code (server/auth/password/config.ts): SMS gateway, Yubico validation, level. */
  passwordLogin: PasswordLoginOptions;
  /** The origin workstations sign for; absent: the listening URL's origin. */
  publicOrigin?: string;
  /** Per retained kind, the days its records are kept (its setting, e.g. DAY_NOTE_RETENTION_DAYS; absent: its default). */
  retentionDays: RetentionDays;
  /**
   * ACCESS_LOG_RETENTION_MONTHS: months of the access log kept; older month partitions are dropped
   * by the hourly job (migration 0080). At least 60 (five years, HSLF-FS 2016:40). Absent: the
   * log is kept for ever, as the retention period is the provider's decision.
   */
  accessLogRetentionMonths?: number;
  /** The signed checkpoints the administrator's integrity check compares with (ANCHOR_FILE + ANCHOR_PUBLIC_KEY, as for npm run verify-log). */
  anchor?: { file: string; publicKeyFile: string };
  /** HTTP timeouts and connection limits against slow and many connections (readHttpLimits; docs/security.md). */
  httpLimits: HttpLimits;
  /** TRUSTED_PROXIES: the proxies whose X-Forwarded-For gives the client address; empty: none (the socket's address counts). */
  trustedProxies: string[];
  /** KSI_LIST_FILE: the organisation's KSI list (Socialstyrelsen's, saved as CSV); without it the example list (server/plans/ksi.ts). */
  ksi: KsiList;
  /**
   * SYNC_EVENT_SPREAD_MS: `changed` for a write reaches each event stream after the 100 ms
   * coalescing window plus a random delay up to this, so that a unit's workstations do not all
   * pull at one instant (server/sync/events.ts); default 400, 0 to 5000.
   */
  eventSpreadMs: number;
}

/** The pool of request connections to PostgreSQL. */
export interface PoolSettings {
  /** DATABASE_POOL_SIZE: connections per server process (default 10). */
  max: number;
  /** DATABASE_CONNECT_TIMEOUT_MS: how long a request waits for a connection (a new one or a free one in a full pool) before it fails (default 5000). */
  connectTimeoutMs: number;
  /** DATABASE_STATEMENT_TIMEOUT_MS: PostgreSQL cancels a statement that runs longer (default 30000; 0: none). */
  statementTimeoutMs: number;
  /** DATABASE_IDLE_TIMEOUT_MS: an unused connection is closed after this (default 30000). */
  idleTimeoutMs: number;
  /** DATABASE_PREPARED_STATEMENTS: the pull page prepared by name per connection (default 1); 0 behind a transaction-mode PgBouncer older than 1.21. */
  preparedStatements: boolean;
}

function readMs(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number ${min}–${max}, got ${value}`);
  return n;
}

export function readPoolSettings(env: NodeJS.ProcessEnv = process.env): PoolSettings {
  return {
    max: readMs(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    connectTimeoutMs: readMs(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    statementTimeoutMs: readMs(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000),
    idleTimeoutMs: readMs(env, 'DATABASE_IDLE_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    preparedStatements: readSwitch(env, 'DATABASE_PREPARED_STATEMENTS', true),
  };
}

/** 1/true/on or 0/false/off; absent or empty: `fallback`. */
function readSwitch(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (['1', 'true', 'on'].includes(value)) return true;
  if (['0', 'false', 'off'].includes(value)) return false;
  throw new Error(`${name} must be 1 or 0, got ${env[name]}`);
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

export function readConfig(env: NodeJS.ProcessEnv = process.env, flags: { embedded?: boolean } = {}): ServerConfig {
  const embedded = flags.embedded === true || env.EMBEDDED === '1' || env.EMBEDDED === 'true';
  if (!env.DATABASE_URL && !embedded) {
    throw new Error(
      'DATABASE_URL is not set: a production server needs its PostgreSQL (docs/operations.md). To run on the embedded database in DATA_DIR instead, say so: EMBEDDED=1 or --embedded',
    );
  }
  if (env.DATABASE_URL && embedded) throw new Error('EMBEDDED and DATABASE_URL are both set: choose one');
  if (env.DATABASE_LISTEN_URL && !env.DATABASE_URL) throw new Error('DATABASE_LISTEN_URL is set but DATABASE_URL is not');
  const port = Number(env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be 0–65535, got ${env.PORT}`);

  const trustAnchorFiles = list(env.TRUST_ANCHORS);
  const intermediateFiles = list(env.INTERMEDIATE_CAS);
  const requiredPolicies = list(env.REQUIRED_POLICIES);
  if (trustAnchorFiles.length > 0 && requiredPolicies.length === 0) {
    throw new Error('REQUIRED_POLICIES must be set with TRUST_ANCHORS: the LoA3 certificate policy OID(s) to require (docs/login.md)');
  }
  if (trustAnchorFiles.length === 0 && (intermediateFiles.length > 0 || requiredPolicies.length > 0)) {
    throw new Error('INTERMEDIATE_CAS or REQUIRED_POLICIES is set but TRUST_ANCHORS is not');
  }
  for (const p of requiredPolicies) if (!OID.test(p)) throw new Error(`REQUIRED_POLICIES: not an OID: ${p}`);
  const policyProcessing = (env.POLICY_PROCESSING || 'person') as PolicyProcessing;
  if (!POLICY_PROCESSING.includes(policyProcessing)) throw new Error(`POLICY_PROCESSING must be person or rfc5280, got ${env.POLICY_PROCESSING}`);
  const ocsp = readOcsp(env);
  if (ocsp && trustAnchorFiles.length === 0) throw new Error('OCSP or OCSP_URL is set but TRUST_ANCHORS is not');

  let publicOrigin: string | undefined;
  if (env.PUBLIC_ORIGIN) {
    let url: URL | undefined;
    try {
      url = new URL(env.PUBLIC_ORIGIN);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== env.PUBLIC_ORIGIN) {
      throw new Error(`PUBLIC_ORIGIN must be an origin like https://omsorg.kommun.se (scheme, host, optional port; no path or slash), got ${env.PUBLIC_ORIGIN}`);
    }
    publicOrigin = url.origin;
  }

  if (Boolean(env.ANCHOR_FILE) !== Boolean(env.ANCHOR_PUBLIC_KEY)) throw new Error('ANCHOR_FILE and ANCHOR_PUBLIC_KEY go together (docs/security.md)');
  if (env.MIGRATION_DATABASE_URL && !env.DATABASE_URL) throw new Error('MIGRATION_DATABASE_URL is set but DATABASE_URL is not');

  const retentionDays: RetentionDays = {};
  for (const kind of SERVER_REGISTRY.retained) {
    const value = env[kind.env];
    if (!value) continue;
    const days = Number(value);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new Error(`${kind.env} must be a whole number of days, 1–3650, got ${value}`);
    retentionDays[kind.name] = days;
  }

  const oidc = readOidc(env);
  if (oidc && trustAnchorFiles.length === 0) throw new Error('OIDC_ISSUER is set but TRUST_ANCHORS is not: the identity provider is offered beside the card login');
  let accessLogRetentionMonths: number | undefined;
  if (env.ACCESS_LOG_RETENTION_MONTHS) {
    accessLogRetentionMonths = Number(env.ACCESS_LOG_RETENTION_MONTHS);
    if (!Number.isInteger(accessLogRetentionMonths) || accessLogRetentionMonths < 60 || accessLogRetentionMonths > 1200) {
      throw new Error(`ACCESS_LOG_RETENTION_MONTHS must be a whole number of months, 60–1200 (the access log is kept at least five years, HSLF-FS 2016:40), got ${env.ACCESS_LOG_RETENTION_MONTHS}`);
    }
  }

  const trustedProxies = list(env.TRUSTED_PROXIES ?? env.TRUST_PROXY);
  for (const entry of trustedProxies) parseProxyEntry(entry);

  return {
    port,
    // Loopback unless told otherwise; a deployment puts a TLS-terminating proxy in front.
    host: env.HOST || '127.0.0.1',
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.MIGRATION_DATABASE_URL ? { migrationDatabaseUrl: env.MIGRATION_DATABASE_URL } : {}),
    embedded,
    dataDir: env.DATA_DIR || '.data/server',
    pool: readPoolSettings(env),
    ...(env.DATABASE_LISTEN_URL ? { listenUrl: env.DATABASE_LISTEN_URL } : {}),
    seed: env.SEED === '1' || env.SEED === 'true',
    migrateOnStart: env.MIGRATE_ON_START !== '0' && env.MIGRATE_ON_START !== 'false',
    logLevel: env.LOG_LEVEL || 'info',
    ...(trustAnchorFiles.length > 0 ? { auth: { trustAnchorFiles, intermediateFiles, requiredPolicies, policyProcessing, ...(ocsp ? { ocsp } : {}) } } : {}),
    ...(oidc ? { oidc } : {}),
    assurance: readAssurance(env.LOA_LEVELS),
    passwordLogin: readPasswordLoginConfig(env),
    ...(publicOrigin ? { publicOrigin } : {}),
    retentionDays,
    ...(accessLogRetentionMonths ? { accessLogRetentionMonths } : {}),
    ...(env.ANCHOR_FILE && env.ANCHOR_PUBLIC_KEY ? { anchor: { file: env.ANCHOR_FILE, publicKeyFile: env.ANCHOR_PUBLIC_KEY } } : {}),
    httpLimits: readHttpLimits(env),
    trustedProxies,
    ksi: readKsiList(env.KSI_LIST_FILE),
    eventSpreadMs: readMs(env, 'SYNC_EVENT_SPREAD_MS', 400, 0, 5000),
  };
}

/**
 * The HTTP limits (server/http/connections.ts), each a whole number in its setting:
 *   HTTP_HEADERS_TIMEOUT_MS (default 10000), HTTP_REQUEST_TIMEOUT_MS (120000),
 *   HTTP_KEEP_ALIVE_TIMEOUT_MS (30000), HTTP_IDLE_TIMEOUT_MS (90000),
 *   HTTP_CONNECTIONS_PER_ADDRESS (1000), HTTP_MAX_CONNECTIONS (0 = no limit),
 *   EVENT_STREAMS_PER_SESSION (4).
 */
export function readHttpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const setting = (name: string, fallback: number, min: number, max: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number ${min}–${max}, got ${value}`);
    return n;
  };
  const d = DEFAULT_HTTP_LIMITS;
  const limits: HttpLimits = {
    headersTimeoutMs: setting('HTTP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 1_000, 600_000),
    requestTimeoutMs: setting('HTTP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 1_000, 3_600_000),
    keepAliveTimeoutMs: setting('HTTP_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 1_000, 600_000),
    idleTimeoutMs: setting('HTTP_IDLE_TIMEOUT_MS', d.idleTimeoutMs, 1_000, 3_600_000),
    connectionsPerAddress: setting('HTTP_CONNECTIONS_PER_ADDRESS', d.connectionsPerAddress, 1, 1_000_000),
    maxConnections: setting('HTTP_MAX_CONNECTIONS', d.maxConnections, 0, 1_000_000),
    eventStreamsPerSession: setting('EVENT_STREAMS_PER_SESSION', d.eventStreamsPerSession, 1, 100),
  };
  // Node wants the header time within the request time.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new Error('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  return limits;
}

/**
 * OCSP=on asks the responder in each login certificate (AIA); OCSP_URL asks that responder instead
 * (and turns OCSP on); OCSP_GRACE_MINUTES (default 240, 0–1440) is how old a cached good answer may
 * be to stand in for an unreachable responder (docs/login.md, "Revocation").
 */
function readOcsp(env: NodeJS.ProcessEnv): { url?: string; graceMs: number } | undefined {
  const mode = env.OCSP || (env.OCSP_URL ? 'on' : 'off');
  if (mode !== 'on' && mode !== 'off') throw new Error(`OCSP must be on or off, got ${env.OCSP}`);
  if (mode === 'off') {
    if (env.OCSP_URL) throw new Error('OCSP_URL is set but OCSP=off');
    return undefined;
  }
  if (env.OCSP_URL && !/^https?:\/\/[^/\s]+/.test(env.OCSP_URL)) throw new Error(`OCSP_URL must be an http(s) URL, got ${env.OCSP_URL}`);
  const minutes = Number(env.OCSP_GRACE_MINUTES || 240);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) throw new Error(`OCSP_GRACE_MINUTES must be 0–1440, got ${env.OCSP_GRACE_MINUTES}`);
  return { ...(env.OCSP_URL ? { url: env.OCSP_URL } : {}), graceMs: minutes * 60_000 };
}

/** The acr values Sweden's trust framework names (DIGG, "Tillitsramverk för Svensk e-legitimation"), and Inera's. */
export const DEFAULT_ACR_LOA = 'http://id.elegnamnden.se/loa/1.0/loa2=2,http://id.elegnamnden.se/loa/1.0/loa3=3,http://id.sambi.se/loa/loa2=2,http://id.sambi.se/loa/loa3=3';

/**
 * The organisation's identity provider (docs/login.md, "Identity provider"): OIDC_ISSUER (https;
 * http only to this computer), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE),
 * OIDC_NAME (what staff call it, default "e-legitimation"), OIDC_HSA_ID_CLAIM (default
 * employeeHsaId), OIDC_ACR_LOA (acr=level pairs, comma-separated; default DEFAULT_ACR_LOA),
 * OIDC_MIN_LOA (default 2), OIDC_SCOPE (default "openid profile").
 */
export function readOidc(env: NodeJS.ProcessEnv, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): OidcSettings | undefined {
  const named = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_CLIENT_SECRET_FILE', 'OIDC_NAME', 'OIDC_HSA_ID_CLAIM', 'OIDC_ACR_LOA', 'OIDC_MIN_LOA', 'OIDC_SCOPE'].filter((k) => env[k]);
  if (!env.OIDC_ISSUER) {
    if (named.length > 0) throw new Error(`${named.join(', ')} is set but OIDC_ISSUER is not`);
    return undefined;
  }
  let issuer: URL;
  try {
    issuer = new URL(env.OIDC_ISSUER);
  } catch {
    throw new Error(`OIDC_ISSUER must be the identity provider's issuer URL, got ${env.OIDC_ISSUER}`);
  }
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(issuer.hostname);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && loopback)) throw new Error('OIDC_ISSUER must be https (http only to this computer)');
  if (!env.OIDC_CLIENT_ID) throw new Error('OIDC_CLIENT_ID must be set with OIDC_ISSUER: the client id the identity provider registered for this server');
  const clientSecret = env.OIDC_CLIENT_SECRET_FILE ? readFile(env.OIDC_CLIENT_SECRET_FILE).trim() : env.OIDC_CLIENT_SECRET;
  if (!clientSecret) throw new Error('OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE must be set with OIDC_ISSUER');
  const acrLoa: Record<string, 1 | 2 | 3 | 4> = {};
  for (const pair of list(env.OIDC_ACR_LOA || DEFAULT_ACR_LOA)) {
    const i = pair.lastIndexOf('=');
    const level = Number(pair.slice(i + 1));
    if (i <= 0 || ![1, 2, 3, 4].includes(level)) throw new Error(`OIDC_ACR_LOA: each entry is <acr>=<level 1–4>, got ${pair}`);
    acrLoa[pair.slice(0, i)] = level as 1 | 2 | 3 | 4;
  }
  const minLoa = Number(env.OIDC_MIN_LOA || 2);
  if (![1, 2, 3, 4].includes(minLoa)) throw new Error(`OIDC_MIN_LOA must be 1–4, got ${env.OIDC_MIN_LOA}`);
  const hsaIdClaim = env.OIDC_HSA_ID_CLAIM || 'employeeHsaId';
  if (!/^[A-Za-z0-9_:.-]{1,100}$/.test(hsaIdClaim)) throw new Error(`OIDC_HSA_ID_CLAIM is not a claim name: ${hsaIdClaim}`);
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret,
    name: env.OIDC_NAME || 'e-legitimation',
    hsaIdClaim,
    acrLoa,
    minLoa: minLoa as 1 | 2 | 3 | 4,
    scope: env.OIDC_SCOPE || 'openid profile',
    allowHttp: issuer.protocol === 'http:',
  };
}
