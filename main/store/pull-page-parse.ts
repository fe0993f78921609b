import { AppFailure, Change, PULL_NEXT_HEADER, PullResponse as PullResponseSchema, syncRoutes, type Cursors, type PullNext, type PullResponse } from '#contract';
import { quickCheck } from './quick-check';

const sameCursors = (a: Cursors, b: Cursors): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

/** The contract's Change, walked once (quick-check.ts): true only for a change the schema takes as it is. */
const quickChange = quickCheck(Change);

const wrongFormat = (inChange: boolean) =>
  new AppFailure('SERVER_ERROR', `the server answered ${syncRoutes.pull.path} with ${inChange ? 'a change in the wrong format' : 'the wrong format'}`);

/**
 * The page's changes checked against the contract one by one: the quick check (quick-check.ts)
 * first, and the schema itself for a change it does not vouch for (a kind it cannot walk, or a
 * change that is wrong: the schema says so). Every change is checked once, and a change the
 * quick check passed is the schema's answer as it is, so it is kept without a copy.
 */
function checkChanges(changes: unknown[]): PullResponse['changes'] {
  for (let i = 0; i < changes.length; i++) {
    if (quickChange?.(changes[i])) continue;
    const parsed = Change.safeParse(changes[i]);
    if (!parsed.success) throw wrongFormat(true);
    changes[i] = parsed.data;
  }
  return changes as PullResponse['changes'];
}

/**
 * A pull page's bytes as the contract's PullResponse, in the store worker (the main thread never
 * parses a page). A cut-off body is SERVER_UNREACHABLE (the run retries); a page in the wrong shape,
 * or one that disagrees with its `x-sync-next` header, is SERVER_ERROR.
 */
export function parsePullPage(bytes: Uint8Array, expect?: PullNext): PullResponse {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new AppFailure('SERVER_UNREACHABLE', `the answer was cut off (${(e as Error).name})`);
  }
  let page: PullResponse;
  if (typeof json === 'object' && json !== null && Array.isArray((json as { changes?: unknown }).changes)) {
    // The changes one by one, then the rest of the page (units, cursors, …) against the schema.
    const changes = checkChanges((json as { changes: unknown[] }).changes);
    const rest = PullResponseSchema.safeParse({ ...json, changes: [] });
    if (!rest.success) throw wrongFormat(false);
    page = { ...rest.data, changes };
  } else {
    const parsed = PullResponseSchema.safeParse(json);
    if (!parsed.success) throw wrongFormat(false);
    page = parsed.data;
  }
  if (expect && (expect.hasMore !== page.hasMore || !sameCursors(expect.cursors, page.cursors))) {
    throw new AppFailure('SERVER_ERROR', `the server answered ${syncRoutes.pull.path} with a ${PULL_NEXT_HEADER} header that does not match the page`);
  }
  return page;
}
