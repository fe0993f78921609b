import { z } from 'zod';
import { AppFailure, ServerErrorBody, serverRoutes, type ErrorCode } from '../contract';

/**
 * The workstation's HTTP client for the municipal server. Every response is validated against
 * contract/server-api.ts; a server that answers something else is an error, not data.
 */
export interface ServerClient {
  readonly baseUrl: string;
  get<K extends keyof typeof serverRoutes>(route: K): Promise<z.infer<(typeof serverRoutes)[K]['response']>>;
}

export function createServerClient(baseUrl: string, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}): ServerClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const root = baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: root,
    async get(route) {
      const spec = serverRoutes[route];
      let res: Response;
      try {
        res = await doFetch(`${root}${spec.path}`, {
          method: spec.method,
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        throw new AppFailure('SERVER_UNREACHABLE', `Servern svarar inte (${(e as Error).name})`);
      }
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) {
        const parsed = ServerErrorBody.safeParse(body);
        const code = parsed.success ? knownCode(parsed.data.error.code) : 'SERVER_ERROR';
        throw new AppFailure(code, parsed.success ? parsed.data.error.message : `Servern svarade ${res.status}`);
      }
      const parsed = spec.response.safeParse(body);
      if (!parsed.success) throw new AppFailure('SERVER_ERROR', `Servern svarade på ${spec.path} med fel format`);
      return parsed.data as never;
    },
  };
}

const passThrough: ReadonlySet<string> = new Set<ErrorCode>(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'VALIDATION', 'PERMISSION_ENDED']);
const knownCode = (code: string): ErrorCode => (passThrough.has(code) ? (code as ErrorCode) : 'SERVER_ERROR');
