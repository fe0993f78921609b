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
  };
  /** The origin workstations sign for; absent: the listening URL's origin. */
  publicOrigin?: string;
  /** Day notes older than this many days are deleted (DAY_NOTE_RETENTION_DAYS, default 90). */
  dayNoteRetentionDays: number;
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

  const dayNoteRetentionDays = Number(env.DAY_NOTE_RETENTION_DAYS || 90);
  if (!Number.isInteger(dayNoteRetentionDays) || dayNoteRetentionDays < 1 || dayNoteRetentionDays > 3650) {
    throw new Error(`DAY_NOTE_RETENTION_DAYS must be a whole number of days, 1–3650, got ${env.DAY_NOTE_RETENTION_DAYS}`);
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
    ...(trustAnchorFiles.length > 0 ? { auth: { trustAnchorFiles, intermediateFiles, requiredPolicies } } : {}),
    ...(publicOrigin ? { publicOrigin } : {}),
    dayNoteRetentionDays,
    ...(env.ANCHOR_FILE && env.ANCHOR_PUBLIC_KEY ? { anchor: { file: env.ANCHOR_FILE, publicKeyFile: env.ANCHOR_PUBLIC_KEY } } : {}),
  };
}
