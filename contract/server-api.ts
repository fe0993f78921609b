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
  units: { method: 'GET', path: '/api/v1/units', response: UnitsResponse },
} as const;
