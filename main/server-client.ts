import type { z } from 'zod';
import { API_VERSION_HEADERS, AppFailure, LOGIN_ERROR_CODES, ServerErrorBody, serverRoutes, type ErrorCode } from '#contract';

/** A route of the server API as contract/server-api.ts and contract/auth.ts declare them. */
export interface RouteSpec<R extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  response: R;
}

/** The route with its `:id` filled in (escaped). */
export const withId = <S extends z.ZodType>(route: RouteSpec<S>, id: string): RouteSpec<S> => ({ ...route, path: route.path.replace(':id', encodeURIComponent(id)) });

/**
 * The workstation's HTTP client for the municipal server. Every response is validated against the
 * contract; a server that answers something else is an error, not data. The session token, when
 * there is one, goes as a bearer token and is never logged.
 */
export interface ServerClient {
  readonly baseUrl: string;
  /** The origin the card signs for at login (Web eID: the site's origin). */
  readonly origin: string;
  /** `timeoutMs`: this call's own limit (default the client's). */
  call<R extends z.ZodType>(route: RouteSpec<R>, opts?: { body?: unknown; token?: string | null; timeoutMs?: number }): Promise<z.infer<R>>;
}

export function createServerClient(baseUrl: string, opts: { timeoutMs?: number; fetch?: typeof fetch; workstation?: string } = {}): ServerClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const root = baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: root,
    origin: new URL(root).origin,
    async call(route, { body, token, timeoutMs: callTimeoutMs } = {}) {
      // The API version this workstation speaks, on every call (the server logs a newer one; contract/server-api.ts).
      const headers: Record<string, string> = { accept: 'application/json', ...API_VERSION_HEADERS };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      if (opts.workstation) headers['x-workstation'] = opts.workstation;
      let res: Response;
      try {
        res = await doFetch(`${root}${route.path}`, {
          method: route.method,
          headers,
          body: body === undefined ? (route.method === 'POST' ? '{}' : undefined) : JSON.stringify(body),
          signal: AbortSignal.timeout(callTimeoutMs ?? timeoutMs),
        });
      } catch (e) {
        throw new AppFailure('SERVER_UNREACHABLE', `the server does not answer (${(e as Error).name})`);
      }
      const json: unknown = await res.json().catch(() => undefined);
      if (!res.ok) {
        if (res.status === 429) throw rateLimited(res.headers.get('retry-after'));
        const parsed = ServerErrorBody.safeParse(json);
        const code = parsed.success ? knownCode(parsed.data.error.code) : 'SERVER_ERROR';
        // The server's refusal reason is written for the user (origin 'server'); anything else is ours, for the log.
        if (parsed.success) throw AppFailure.fromServer(code, parsed.data.error.message, parsed.data.error.details);
        throw new AppFailure(code, `the server answered ${res.status}`);
      }
      const parsed = route.response.safeParse(json);
      if (!parsed.success) throw new AppFailure('SERVER_ERROR', `the server answered ${route.path} in the wrong format`);
      return parsed.data;
    },
  };
}

/**
 * Node compiles its fetch implementation (undici) and its HTTP client paths at the first request:
 * ~60 ms on the main thread, which at login would be a stall while the user waits for her PIN to be
 * taken. The app asks the server's /health once at start (with the spare workers), while she reads
 * the PIN prompt; the answer does not matter (an unreachable server shows at login), and the open
 * connection is the one the login then uses.
 */
export function warmUp(client: ServerClient): void {
  setTimeout(() => void client.call(serverRoutes.health).catch(() => undefined), 0).unref();
}

/**
 * The server's 429 (too many login attempts from this card or address): RATE_LIMITED with the
 * seconds of its Retry-After (seconds or an HTTP date), which the login screen shows.
 */
export function rateLimited(retryAfter: string | null, now = Date.now()): AppFailure {
  const seconds = retryAfter === null ? NaN : /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : Math.ceil((Date.parse(retryAfter) - now) / 1000);
  if (!Number.isFinite(seconds)) return new AppFailure('RATE_LIMITED', 'too many attempts');
  const retryAfterS = Math.max(1, seconds);
  return new AppFailure('RATE_LIMITED', `too many attempts; retry after ${retryAfterS} s`, { retryAfterS });
}

/** Server codes the workstation passes on as they are; anything else is SERVER_ERROR. */
const passThrough: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'VALIDATION', 'PERMISSION_ENDED', ...LOGIN_ERROR_CODES,
]);
const knownCode = (code: string): ErrorCode => (passThrough.has(code) ? (code as ErrorCode) : 'SERVER_ERROR');
