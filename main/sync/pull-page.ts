import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import { AppFailure, Change, PullResponse, ServerErrorBody, syncRoutes, type PullRequest } from '../../contract';

/** The page without its changes: validated at once; the changes follow in slices. */
const Envelope = PullResponse.extend({ changes: z.array(z.unknown()) });
const SLICE = 200;

export interface PullPageOptions {
  baseUrl: string;
  token: string;
  body: PullRequest;
  fetch: typeof fetch;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One pull page, validated against the contract like every server answer — but the changes in
 * slices of 200 with a turn of the event loop between them, so a page of thousands of records
 * never holds the main process for more than a few milliseconds (budget: no stall > 16 ms).
 */
export async function pullPage(o: PullPageOptions): Promise<PullResponse> {
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
  let json: unknown;
  try {
    json = JSON.parse(await res.text());
  } catch (e) {
    if (res.ok) throw new AppFailure('SERVER_UNREACHABLE', `Svaret avbröts (${(e as Error).name})`);
  }
  if (!res.ok) {
    const parsed = ServerErrorBody.safeParse(json);
    const code = res.status >= 500 || !parsed.success ? 'SERVER_ERROR' : parsed.data.error.code;
    throw new AppFailure(errorCodeOr(code), parsed.success ? parsed.data.error.message : `Servern svarade ${res.status}`);
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) throw new AppFailure('SERVER_ERROR', `Servern svarade på ${syncRoutes.pull.path} med fel format`);
  const raw = envelope.data.changes;
  const changes: Change[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i += SLICE) {
    if (i > 0) await yieldToLoop();
    for (let j = i; j < Math.min(i + SLICE, raw.length); j++) {
      const c = Change.safeParse(raw[j]);
      if (!c.success) throw new AppFailure('SERVER_ERROR', `Servern svarade på ${syncRoutes.pull.path} med en ändring i fel format`);
      changes[j] = c.data;
    }
  }
  return { ...envelope.data, changes };
}

const passThrough = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'VALIDATION', 'PERMISSION_ENDED']);
function errorCodeOr(code: string): 'SERVER_ERROR' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'VALIDATION' | 'PERMISSION_ENDED' {
  return passThrough.has(code) ? (code as 'FORBIDDEN') : 'SERVER_ERROR';
}
