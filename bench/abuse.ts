/**
 * Denial of service before login (issue 19, point 1; issue 25 points 4 and 5; docs/security.md):
 * - how fast an anonymous client's megabyte of nested `[` is refused (goal < 10 ms), and how GET
 *   /health answers while eight anonymous clients send such bodies in loops (goal p95 < 50 ms);
 * - slowloris: GET /health while one client (bench/abuse-holder.ts, a child process from 127.0.0.2
 *   whose open-file limit is raised with `ulimit -n 30000` in the bash that starts it) opens
 *   20,000 connections and holds them half-open (goal p95 < 50 ms);
 * - a user's login while another address floods logins carrying that user's certificate
 *   (goal: her login succeeds).
 * Server on embedded PGlite with the default limits (server/http/connections.ts, rate limits),
 * client and server on loopback (the flood and health in this process share its event loop, so the
 * figures are an upper bound of the server's cost).
 * `npm run bench -- abuse [seconds] [connections]` (defaults 5 and 20000).
 */
import { spawn } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { authValue, LOGIN_TOKEN_FORMAT } from '#contract';
import { nodeTsx } from '../scripts/node-tool';
import { migrate, openPglite } from '../server/db';
import { seedDemoData } from '../server/demo';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import { calibrationMs, percentile, report } from './report';
import { startBenchServer } from './server';

const BENCH = 'abuse';
const NESTED = Buffer.from('['.repeat(512 * 1024) + ']'.repeat(512 * 1024));

/** One request (from `localAddress`, default 127.0.0.1); resolves with its status, ms and body, also when the server answers before the body is sent. */
function request(url: string, method: string, body?: Buffer, localAddress?: string): Promise<{ status: number; ms: number; text: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const headers = body ? { 'content-type': 'application/json', 'content-length': body.length } : {};
    const req = http.request(url, { method, agent: false, headers, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c.length < 10_000 ? c : ''));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, text }));
    });
    // The server may close the socket once it has answered an unread body: that is the point.
    req.on('error', () => resolve({ status: -1, ms: performance.now() - t0, text: '' }));
    req.end(body);
  });
}

export async function run(args: string[]): Promise<void> {
  const floodSeconds = Math.max(2, Number(args[0] ?? 5));
  const connections = Math.min(30_000, Math.max(1_000, Number(args[1] ?? 20_000)));
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now' });
  const db = await openPglite({});
  await migrate(db);
  await seedDemoData(db);
  const pki = await generateTestPki();
  const { app, url } = await startBenchServer(db, pki);

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

  await slowloris(url, connections);
  await loginFlood(url, pki, floodSeconds);
  await app.close();
  await db.close();
}

/** GET /health every 20 ms until `until` resolves; the samples. */
async function healthWhile(url: string, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.then(() => (done = true));
  const samples: number[] = [];
  while (!done && samples.length < 5_000) {
    samples.push((await request(`${url}/health`, 'GET')).ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  return samples;
}

/**
 * One client (address 127.0.0.2) opens `connections` half-open connections and holds them past the
 * header time; /health meanwhile. The client is two or more processes of at most 10,000 sockets
 * each: a process may hold only as many as its open-file limit, whose hard limit here is 20,000 and
 * cannot be raised without CAP_SYS_RESOURCE (each holder tries `ulimit -n 30000` and otherwise
 * runs with the hard limit).
 */
async function slowloris(url: string, connections: number): Promise<void> {
  const port = new URL(url).port;
  const holdSeconds = 15;
  const perProcess = 10_000;
  const holders = Array.from({ length: Math.ceil(connections / perProcess) }, (_v, i) => {
    const count = Math.min(perProcess, connections - i * perProcess);
    const [node, argv] = nodeTsx(path.join(import.meta.dirname, '..'), path.join(import.meta.dirname, 'abuse-holder.ts'), [port, String(count), String(holdSeconds)]);
    const child = spawn('bash', ['-c', '{ ulimit -n 30000 || ulimit -n "$(ulimit -Hn)"; } 2>/dev/null; exec "$0" "$@"', node, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Record<string, number | string>[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, number | string>));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const kill = setTimeout(() => child.kill('SIGKILL'), (holdSeconds + 120) * 1000);
    return { lines, exited: exited.then(() => clearTimeout(kill)) };
  });
  const samples = await healthWhile(url, Promise.all(holders.map((h) => h.exited)));
  const sum = (phase: string, field: string) => holders.reduce((n, h) => n + Number(h.lines.filter((l) => l.phase === phase).at(-1)?.[field] ?? 0), 0);
  report(BENCH, 'health_while_20k_half_open_ms_p50', percentile(samples, 50), 'ms', {
    runs: samples.length,
    attempted: sum('connected', 'attempted'),
    connected: sum('connected', 'connected'),
    open_at_client_when_connected: sum('connected', 'open'),
    connect_ms: Math.max(...holders.map((h) => Number(h.lines.find((l) => l.phase === 'connected')?.ms ?? 0))),
    still_open_after_s: holdSeconds,
    still_open: sum('holding', 'open'),
    holder_processes: holders.length,
  });
  report(BENCH, 'health_while_20k_half_open_ms_p95', percentile(samples, 95), 'ms', { goal: 50 });
  report(BENCH, 'health_while_20k_half_open_ms_max', Math.max(...samples), 'ms');
}

/** The card's signature over signedData(origin, nonce) (as test/unit/server/auth-suite.ts signs). */
async function loginBody(card: Awaited<ReturnType<typeof issuePersonCard>>, nonce: string, origin: string, forge: boolean): Promise<Buffer> {
  const certificate = card.auth.certificateChainPem[0]!.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  // A forger has her certificate (it is public), not her key: the signature is over another nonce.
  const data = await authValue(origin, forge ? `${nonce.slice(0, -4)}AAAA` : nonce);
  const signature = sign('sha256', data, { key: createPrivateKey(card.auth.privateKeyPem), dsaEncoding: 'ieee-p1363' }).toString('base64');
  return Buffer.from(JSON.stringify({ format: LOGIN_TOKEN_FORMAT, nonce, origin, certificate, algorithm: 'ES256', signature }));
}

/** Another address floods logins with Anna's certificate; Anna logs in meanwhile from hers. */
async function loginFlood(url: string, pki: Awaited<ReturnType<typeof generateTestPki>>, seconds: number): Promise<void> {
  const anna = await issuePersonCard(pki, { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', algorithm: 'ec', withSignatureKey: false });
  const origin = new URL(url).origin;
  const attempt = async (from: string, forge: boolean) => {
    const challenge = await request(`${url}/api/v1/auth/challenge`, 'POST', undefined, from);
    if (challenge.status !== 200) return challenge.status;
    const { nonce } = JSON.parse(challenge.text) as { nonce: string };
    return (await request(`${url}/api/v1/auth/login`, 'POST', await loginBody(anna, nonce, origin, forge), from)).status;
  };
  let flooding = true;
  const floodStatuses = new Map<number, number>();
  let floodRequests = 0;
  const floods = Array.from({ length: 4 }, async () => {
    while (flooding && floodRequests < 5_000) {
      const status = await attempt('127.0.0.3', true);
      floodRequests++;
      floodStatuses.set(status, (floodStatuses.get(status) ?? 0) + 1);
    }
  });
  const own: { status: number; ms: number }[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, (seconds * 1000) / 4));
    const t0 = performance.now();
    // Her own address (not 127.0.0.1, whose window the nested-body flood above has used up).
    own.push({ status: await attempt('127.0.0.4', false), ms: performance.now() - t0 });
  }
  flooding = false;
  await Promise.all(floods);
  report(BENCH, 'login_of_flooded_user_ok', own.filter((o) => o.status === 200).length / own.length, 'ratio', {
    goal: 1,
    logins: own.length,
    statuses: own.map((o) => o.status),
    flood_requests: floodRequests,
    flood_statuses: Object.fromEntries(floodStatuses),
    seconds,
  });
  report(BENCH, 'login_of_flooded_user_ms_max', Math.max(...own.map((o) => o.ms)), 'ms', { what: 'challenge + login, from her own address' });
}
