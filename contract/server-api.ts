import { z } from 'zod';
import { Organisation, Unit } from './domain';

/**
 * The municipal server's HTTP API, shared by server/ and the workstation's server client.
 * Paths are versioned; every response body is validated by both sides.
 */
export const HealthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  database: z.enum(['pglite', 'postgres']),
  /** Random per server process: a workstation sends again what it set aside on another one (docs/sync.md, "A poison pill"). */
  instance: z.string().max(64).optional(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/**
 * API versions (docs/operations.md, "Upgrade order"). Each side states its own at login: the
 * workstation in the request header API_VERSION_HEADER (a header, since an older server refuses
 * unknown login body fields), the server in the same header on every answer and in the login
 * answer's `apiVersion`. A server serves workstations from OLDEST_SERVED_API_VERSION up; a
 * workstation or server that states nothing is version 1 (the releases before the handshake).
 */
export const API_VERSION = 2;
export const OLDEST_SERVED_API_VERSION = 1;
export const API_VERSION_HEADER = 'x-omsorg-api-version';
/**
 * The header every request of this workstation carries (the API client, the pull pages, the event
 * stream): a request without it is taken for the first release, whose pulls leave out later kinds.
 */
export const API_VERSION_HEADERS: Readonly<Record<string, string>> = { [API_VERSION_HEADER]: String(API_VERSION) };

/** The version a header states; 1 when absent (before the handshake); undefined when it is no version. */
export function statedApiVersion(header: string | string[] | null | undefined): number | undefined {
  if (header === undefined || header === null) return 1;
  const n = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : undefined;
}

/** Whether a session's server speaks an older API than this build (the workstation updated first). */
export const serverIsOlder = (serverApiVersion: number | undefined): boolean => serverApiVersion !== undefined && serverApiVersion < API_VERSION;

/**
 * How the support view sees a workstation whose server is older: the report's appVersion with
 * semver build metadata (`0.2.0+api2-server1`), a field every server version already accepts.
 */
export const reportedAppVersion = (appVersion: string, serverApiVersion: number | undefined): string =>
  serverIsOlder(serverApiVersion) ? `${appVersion}+api${API_VERSION}-server${serverApiVersion}` : appVersion;

/** GET /health/live: the process runs and answers (nothing else is checked: restart it when this fails). */
export const LivenessResponse = z.object({ status: z.literal('ok') });
export type LivenessResponse = z.infer<typeof LivenessResponse>;

/**
 * GET /health/ready: this node should get traffic — its database answers and holds every migration
 * of this version, and it is not shutting down. 200 when ready, 503 with the reason when not.
 */
export const ReadinessResponse = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['ok', 'unreachable']),
  migrations: z.enum(['current', 'behind', 'unknown']),
  /** Migrations of this version the database lacks (when behind). */
  pendingMigrations: z.number().int().nonnegative(),
  shuttingDown: z.boolean(),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;

export const UnitsResponse = z.object({
  organisation: Organisation,
  units: z.array(Unit),
});
export type UnitsResponse = z.infer<typeof UnitsResponse>;

export const ServerErrorBody = z.object({
  /** `details`: non-personal structure only (paths of invalid fields, never values). */
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});

export const serverRoutes = {
  health: { method: 'GET', path: '/health', response: HealthResponse },
  liveness: { method: 'GET', path: '/health/live', response: LivenessResponse },
  readiness: { method: 'GET', path: '/health/ready', response: ReadinessResponse },
  units: { method: 'GET', path: '/api/v1/units', response: UnitsResponse },
} as const;
