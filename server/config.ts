import { POLICY_PROCESSING, type PolicyProcessing } from './auth/certificate';
import { RETAINED, type RetentionDays } from './sync/retention';

/** Server settings from the environment (see server/main.ts for what each one does). */
export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  /** The owner role's URL: migrations run as it, the server as DATABASE_URL's role (server/db/roles.ts). */
  migrationDatabaseUrl?: string;
  dataDir: string;
  seed: boolean;
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
  /** The origin workstations sign for; absent: the listening URL's origin. */
  publicOrigin?: string;
  /** Per retained kind, the days its records are kept (its setting, e.g. DAY_NOTE_RETENTION_DAYS; absent: its default). */
  retentionDays: RetentionDays;
  /** The signed checkpoints the administrator's integrity check compares with (ANCHOR_FILE + ANCHOR_PUBLIC_KEY, as for npm run verify-log). */
  anchor?: { file: string; publicKeyFile: string };
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
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
  for (const kind of RETAINED) {
    const value = env[kind.env];
    if (!value) continue;
    const days = Number(value);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new Error(`${kind.env} must be a whole number of days, 1–3650, got ${value}`);
    retentionDays[kind.name] = days;
  }

  return {
    port,
    // Loopback unless told otherwise; a deployment puts a TLS-terminating proxy in front.
    host: env.HOST || '127.0.0.1',
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.MIGRATION_DATABASE_URL ? { migrationDatabaseUrl: env.MIGRATION_DATABASE_URL } : {}),
    dataDir: env.DATA_DIR || '.data/server',
    seed: env.SEED === '1' || env.SEED === 'true',
    logLevel: env.LOG_LEVEL || 'info',
    ...(trustAnchorFiles.length > 0 ? { auth: { trustAnchorFiles, intermediateFiles, requiredPolicies, policyProcessing, ...(ocsp ? { ocsp } : {}) } } : {}),
    ...(publicOrigin ? { publicOrigin } : {}),
    retentionDays,
    ...(env.ANCHOR_FILE && env.ANCHOR_PUBLIC_KEY ? { anchor: { file: env.ANCHOR_FILE, publicKeyFile: env.ANCHOR_PUBLIC_KEY } } : {}),
  };
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
