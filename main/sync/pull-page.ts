import http from 'node:http';
import https from 'node:https';
import { API_VERSION_HEADERS, AppFailure, PULL_NEXT_HEADER, PullNext, ServerErrorBody, syncRoutes, type PullRequest } from '#contract';

export interface PullPageOptions {
  baseUrl: string;
  token: string;
  body: PullRequest;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Aborts the request (the engine stopping on a lock). */
  signal?: AbortSignal;
  /** Keep-alive agent of the engine: one connection reused for every page of a run. */
  agent?: http.Agent;
}

/** A pull page as received: its JSON bytes, and the `x-sync-next` header (null when the server sends none). */
export interface PulledBytes {
  bytes: Uint8Array;
  next: PullNext | null;
}

/** A keep-alive agent for `baseUrl`'s protocol. */
export function pullAgent(baseUrl: string): http.Agent {
  return new (new URL(baseUrl).protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 2 });
}

/**
 * One pull page as the server's JSON bytes, unparsed. Runs in the pull worker (pull-worker.ts),
 * which hands the buffer to the store worker (transferred, not copied); the store worker parses
 * and validates it against the contract (LocalStore.readFetchedPage), so a page of thousands of
 * records never touches the main thread. Error answers (small) are parsed here.
 *
 * node:http rather than fetch: a page is about a megabyte, and fetch's web streams cost three
 * times the CPU per page that plain socket chunks copied into one buffer do.
 */
export function fetchPullPage(o: PullPageOptions): Promise<PulledBytes> {
  const url = new URL(`${o.baseUrl}${syncRoutes.pull.path}`);
  const payload = Buffer.from(JSON.stringify(o.body), 'utf8');
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<PulledBytes>((resolve, reject) => {
    const unreachable = (what: string) => new AppFailure('SERVER_UNREACHABLE', what);
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'content-length': String(payload.length),
          authorization: `Bearer ${o.token}`,
          ...API_VERSION_HEADERS,
          ...o.headers,
        },
        ...(o.agent ? { agent: o.agent } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        timeout: o.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          length += c.length;
        });
        res.on('error', (e) => reject(unreachable(`the answer was cut off (${e.name})`)));
        res.on('close', () => {
          if (!res.complete) reject(unreachable('the answer was cut off'));
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            // One ArrayBuffer of exactly the page, so it can be transferred to the worker whole.
            const bytes = new Uint8Array(new ArrayBuffer(length));
            let at = 0;
            for (const c of chunks) {
              bytes.set(c, at);
              at += c.length;
            }
            try {
              resolve({ bytes, next: nextOf(res.headers[PULL_NEXT_HEADER]) });
            } catch (e) {
              reject(e);
            }
          } else {
            reject(errorAnswer(status, Buffer.concat(chunks, length).toString('utf8')));
          }
        });
      },
    );
    req.on('timeout', () => {
      const e = new Error('the server did not answer in time');
      e.name = 'TimeoutError';
      req.destroy(e);
    });
    req.on('error', (e) => reject(unreachable(`Servern svarar inte (${e.name})`)));
    req.end(payload);
  });
}

/** The `x-sync-next` header, checked against the contract; a malformed one is the server's error. */
function nextOf(header: string | string[] | undefined): PullNext | null {
  if (header === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(Array.isArray(header) ? (header[0] ?? '') : header);
  } catch {
    json = undefined;
  }
  const parsed = PullNext.safeParse(json);
  if (!parsed.success) throw new AppFailure('SERVER_ERROR', `the server answered ${syncRoutes.pull.path} with a malformed ${PULL_NEXT_HEADER} header`);
  return parsed.data;
}

function errorAnswer(status: number, text: string): AppFailure {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: answered by the status alone
  }
  const parsed = ServerErrorBody.safeParse(json);
  const code = status >= 500 || !parsed.success ? 'SERVER_ERROR' : parsed.data.error.code;
  return parsed.success ? AppFailure.fromServer(errorCodeOr(code), parsed.data.error.message) : new AppFailure(errorCodeOr(code), `the server answered ${status}`);
}

const passThrough = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'VALIDATION', 'PERMISSION_ENDED']);
function errorCodeOr(code: string): 'SERVER_ERROR' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'VALIDATION' | 'PERMISSION_ENDED' {
  return passThrough.has(code) ? (code as 'FORBIDDEN') : 'SERVER_ERROR';
}
