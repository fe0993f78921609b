import type { AddressInfo } from 'node:net';
import { createServer } from '../server/app';
import type { OidcSettings } from '../server/auth/oidc';
import type { Db } from '../server/db';
import type { RateLimitOptions } from '../server/http/rate-limit';
import { testPkiTrust, type TestPki } from '../tools/pki';

export type BenchServer = ReturnType<typeof createServer>;

/**
 * The server for a benchmark: trusts the test PKI, no logs, no retention job, on loopback.
 * `port` 0 picks a free one; passing the previous port restarts a stopped server in place.
 * `rateLimit`: the login limits, for a benchmark that logs in with one card more often than the
 * production limit allows (20 a minute).
 */
export async function startBenchServer(
  db: Db,
  pki: TestPki,
  port = 0,
  rateLimit?: RateLimitOptions,
  /** Login through an identity provider too (bench login's IdP path). */
  oidc?: OidcSettings,
): Promise<{ app: BenchServer; url: string; port: number }> {
  let url = '';
  const app = createServer({
    db,
    version: 'bench',
    logger: false,
    auth: { trust: testPkiTrust(pki), expectedOrigin: () => url, ...(rateLimit ? { rateLimit } : {}), ...(oidc ? { oidc } : {}) },
    sync: { retentionIntervalMs: false },
  });
  await app.listen({ host: '127.0.0.1', port });
  const bound = (app.server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${bound}`;
  return { app, url, port: bound };
}

/** `npm run bench -- server`: many workstations against two server processes (bench/server-load.ts). */
export async function run(args: string[]): Promise<void> {
  const { runLoad: load } = await import('./server-load');
  await load(args);
}
