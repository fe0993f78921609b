import { AppFailure, ServerErrorBody, syncRoutes, type PullRequest } from '../../contract';

export interface PullPageOptions {
  baseUrl: string;
  token: string;
  body: PullRequest;
  fetch: typeof fetch;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One pull page as the server's JSON bytes, unparsed: the store's worker parses and validates it
 * against the contract (LocalStore.readPullPage, the buffer transferred, not copied), so a page of
 * thousands of records never holds the main process (budget: no stall > 16 ms). Error answers
 * (small) are parsed here.
 */
export async function fetchPullPage(o: PullPageOptions): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await o.fetch(`${o.baseUrl}${syncRoutes.pull.path}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: `Bearer ${o.token}`, ...o.headers },
      body: JSON.stringify(o.body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
  } catch (e) {
    throw new AppFailure('SERVER_UNREACHABLE', `Servern svarar inte (${(e as Error).name})`);
  }
  if (res.ok) {
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new AppFailure('SERVER_UNREACHABLE', `Svaret avbröts (${(e as Error).name})`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(await res.text());
  } catch {
    // not JSON: answered by the status alone
  }
  const parsed = ServerErrorBody.safeParse(json);
  const code = res.status >= 500 || !parsed.success ? 'SERVER_ERROR' : parsed.data.error.code;
  throw new AppFailure(errorCodeOr(code), parsed.success ? parsed.data.error.message : `Servern svarade ${res.status}`);
}

const passThrough = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'VALIDATION', 'PERMISSION_ENDED']);
function errorCodeOr(code: string): 'SERVER_ERROR' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'VALIDATION' | 'PERMISSION_ENDED' {
  return passThrough.has(code) ? (code as 'FORBIDDEN') : 'SERVER_ERROR';
}
