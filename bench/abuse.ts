/**
 * Denial of service before login (issue 19, point 1; docs/security.md): how fast an anonymous
 * client's megabyte of nested `[` is refused (goal < 10 ms), and how GET /health answers while
 * eight anonymous clients send such bodies in loops (goal p95 < 50 ms). Server on embedded PGlite,
 * client and server on loopback in this one process (both share the event loop, so the figures
 * are an upper bound of the server's cost). `npm run bench -- abuse [seconds]`.
 */
import http from 'node:http';
import { migrate, openPglite } from '../server/db';
import { seedDemoData } from '../server/seed/seed';
import { generateTestPki } from '../tools/pki';
import { calibrationMs, percentile, report } from './report';
import { startBenchServer } from './server';

const BENCH = 'abuse';
const NESTED = Buffer.from('['.repeat(512 * 1024) + ']'.repeat(512 * 1024));

/** One request; resolves with its status and ms, also when the server answers before the body is sent. */
function request(url: string, method: string, body?: Buffer): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent: false, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    // The server may close the socket once it has answered an unread body: that is the point.
    req.on('error', () => resolve({ status: -1, ms: performance.now() - t0 }));
    req.end(body);
  });
}

export async function run(args: string[]): Promise<void> {
  const floodSeconds = Math.max(2, Number(args[0] ?? 5));
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now' });
  const db = await openPglite({});
  await migrate(db);
  await seedDemoData(db);
  const { app, url } = await startBenchServer(db, await generateTestPki());

  for (const [metric, path] of [
    ['anonymous_nested_push_refused_ms', '/api/v1/sync/push'],
    ['anonymous_nested_login_refused_ms', '/api/v1/auth/login'],
  ] as const) {
    const samples: number[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < 32; i++) {
      const r = await request(`${url}${path}`, 'POST', NESTED);
      statuses.add(r.status);
      if (i >= 2) samples.push(r.ms);
    }
    report(BENCH, `${metric}_p50`, percentile(samples, 50), 'ms', { runs: samples.length, body_bytes: NESTED.length, statuses: [...statuses] });
    report(BENCH, `${metric}_p95`, percentile(samples, 95), 'ms', { goal: 10 });
  }

  const quiet: number[] = [];
  for (let i = 0; i < 50; i++) quiet.push((await request(`${url}/health`, 'GET')).ms);
  report(BENCH, 'health_quiet_ms_p50', percentile(quiet, 50), 'ms', { runs: quiet.length });

  let flooding = true;
  let floodRequests = 0;
  const loops = Array.from({ length: 8 }, async (_v, i) => {
    while (flooding) {
      await request(`${url}${i % 2 ? '/api/v1/auth/login' : '/api/v1/sync/push'}`, 'POST', NESTED);
      floodRequests++;
    }
  });
  const during: number[] = [];
  const until = performance.now() + floodSeconds * 1000;
  while (performance.now() < until) {
    during.push((await request(`${url}/health`, 'GET')).ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  flooding = false;
  await Promise.all(loops);
  report(BENCH, 'health_under_flood_ms_p50', percentile(during, 50), 'ms', { runs: during.length, flood_clients: 8, flood_requests: floodRequests, seconds: floodSeconds });
  report(BENCH, 'health_under_flood_ms_p95', percentile(during, 95), 'ms', { goal: 50 });
  report(BENCH, 'health_under_flood_ms_max', Math.max(...during), 'ms');
  await app.close();
  await db.close();
}
