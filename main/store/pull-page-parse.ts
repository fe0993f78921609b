import { AppFailure, PULL_NEXT_HEADER, PullResponse as PullResponseSchema, syncRoutes, type Cursors, type PullNext, type PullResponse } from '#contract';

const sameCursors = (a: Cursors, b: Cursors): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

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
  const parsed = PullResponseSchema.safeParse(json);
  if (!parsed.success) {
    const inChange = parsed.error.issues.some((i) => i.path[0] === 'changes' && i.path.length > 1);
    throw new AppFailure('SERVER_ERROR', `the server answered ${syncRoutes.pull.path} with ${inChange ? 'a change in the wrong format' : 'the wrong format'}`);
  }
  const page = parsed.data;
  if (expect && (expect.hasMore !== page.hasMore || !sameCursors(expect.cursors, page.cursors))) {
    throw new AppFailure('SERVER_ERROR', `the server answered ${syncRoutes.pull.path} with a ${PULL_NEXT_HEADER} header that does not match the page`);
  }
  return page;
}
