/**
 * Many workstations against the server (issue 33, "Load"): `npm run bench -- server [options]`.
 *
 * The servers are real server processes (`tsx server/main.ts`, as `npm run server` starts one)
 * on one PostgreSQL (a throwaway cluster with production durability: fsync on); this process is
 * the second process, simulating the workstations on loopback. Each workstation has its own
 * loopback source address (127.0.1.10, 127.0.1.11, …), as a municipality's PCs have their own
 * addresses, so the per-address login limit is in force as in production and is not met
 * (server/http/rate-limit.ts: 120 challenge + login requests a minute per address).
 *
 * Phases:
 *   1. 07:00 burst: the N workstations log in at random moments within `--burst-s` (60): card
 *      login (challenge, the card's ECDSA signature over signedData(origin, nonce) by a generated
 *      staff member's software key and certificate from the test CA, login), open the event
 *      stream, pull their unit from empty; then they live as in phase 2.
 *   2. The day (`--seconds`, 120): each workstation keeps its stream, pulls after every
 *      `changed`, pushes a journal entry about every `--push-every-s` (120, as a care worker
 *      writes after a visit), opens the inbox (assignment list and one assignment) and the
 *      messages (the unit's threads) about every `--open-every-s` (300); the plan view reads the
 *      synced store and costs the server nothing but those pulls. A case officer sends an
 *      assignment to a random unit every `--officer-every-s` (5). Workstations are spread over
 *      the instances by turns (a load balancer's per-connection choice), so a unit's streams sit
 *      on both and every change crosses between them by LISTEN/NOTIFY.
 *   3. CPU per request by route group: each of pull, inbox, messages, push and login alone in 8
 *      closed loops, `--cost-requests` (200) actions, the servers' and PostgreSQL's CPU ÷ requests.
 *   4. Throughput: `--saturate-s` (10) of 32 closed loops (a pull with current cursors, then
 *      the inbox list) against one instance, then against both: the ratio.
 *
 * Printed (one JSON object per line): per route group p50/p99 and errors, for the burst and the
 * day separately; login p99 and 429s of the burst; event fan-out p99 (a push sent → the first
 * `changed` for its unit at each other workstation of the unit holding a stream); CPU per request
 * of the servers (their own process_cpu_seconds_total from /metrics) and of PostgreSQL, apart and
 * together (`*_cpu_ms_per_request`), per phase and per route group (`cost_*`); the
 * throughput ratio; the machine's calibration beside them.
 *
 * Where a pull's time goes: the servers' `omsorg_sync_pull_stage_seconds` (session lookup, scope,
 * page, access-log row) per phase, the bucket its p50 and p99 fall in (`*_pull_stage_*`); and how
 * bunched the pulls arrive (`day_pull_herd_p50`: other pulls sent in the 10 ms before each). Before
 * the servers spread `changed` (SYNC_EVENT_SPREAD_MS, issue 33 session 12) a unit's 25 workstations
 * pulled in the same millisecond after every push: at 500 workstations on a quiet machine the pull's
 * p99 was 136–164 ms while a pull alone costs ~2 ms of CPU; `--event-spread-ms 0` repeats that.
 *
 * Options: --workstations N (500), --instances 1|2 (2), --units U (20), --burst-s, --seconds,
 * --push-every-s, --open-every-s, --officer-every-s, --saturate-s, --pool N (server pool, 10),
 * --event-spread-ms N (the servers' SYNC_EVENT_SPREAD_MS; default theirs, 400),
 * --cost-requests N (200; 0 skips phase 3), --server-root DIR (the servers from another checkout,
 * e.g. `git worktree`/`git archive` of an earlier commit: before and after under the same load).
 * Every loop is bounded in count and time (the whole run ends within burst + day + 2 × saturate
 * + 300 s).
 */
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { authValue, LOGIN_TOKEN_FORMAT } from '#contract';
import { startPostgres, type RunningPostgres } from '../test/support/postgres-setup';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../test/support/server-process';
import { generateTestPki, issuePersonCard, saveTestPki, testPkiTrust, trustFiles } from '../tools/pki';
import { rng, uuid } from './generated';
import { BACKEND_PID_SQL, postmasterOf, processTreeCpuMs } from './pg-cpu';
import { arg, calibrationMs, percentile, report } from './report';

const BENCH = 'server';
/** The origin workstations sign for: one configured PUBLIC_ORIGIN for every instance, as behind the municipality's proxy. */
const ORIGIN = 'https://omsorg.bank.test';
const OFFICER_HSA = 'SE2120001355-P000000000201';
const API_VERSION_HEADER = { 'x-omsorg-api-version': '2' };
const ROUTE_GROUPS = ['login', 'events', 'pull', 'push', 'inbox', 'messages', 'officer'] as const;
type Group = (typeof ROUTE_GROUPS)[number];

interface Answer {
  status: number;
  ms: number;
  body: string;
}

/** One request on `agent` (keep-alive, the workstation's own source address); status -1 on a network error. */
function request(agent: http.Agent, base: string, method: string, urlPath: string, body?: unknown, token?: string): Promise<Answer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = { ...API_VERSION_HEADER };
  if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
  else if (method === 'POST') headers['content-length'] = 0;
  if (token) headers.authorization = `Bearer ${token}`;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(`${base}${urlPath}`, { method, agent, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: -1, ms: performance.now() - t0, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: -1, ms: performance.now() - t0, body: e.message }));
    req.end(payload);
  });
}

/** Latencies and failures per route group, in one measurement window. */
class Tally {
  readonly ms = new Map<Group, number[]>();
  readonly errors = new Map<Group, Map<number, number>>();
  count = 0;
  add(group: Group, a: Answer, ok = a.status >= 200 && a.status < 300): void {
    this.count++;
    (this.ms.get(group) ?? this.ms.set(group, []).get(group)!).push(a.ms);
    if (!ok) {
      const e = this.errors.get(group) ?? this.errors.set(group, new Map()).get(group)!;
      e.set(a.status, (e.get(a.status) ?? 0) + 1);
    }
  }
  errorCount(group?: Group): number {
    let n = 0;
    for (const [g, m] of this.errors) if (!group || g === group) for (const v of m.values()) n += v;
    return n;
  }
  statusCount(status: number): number {
    let n = 0;
    for (const m of this.errors.values()) n += m.get(status) ?? 0;
    return n;
  }
  print(phase: string, seconds: number, goalMs: number | null): void {
    for (const g of ROUTE_GROUPS) {
      const s = this.ms.get(g);
      if (!s?.length) continue;
      const errors = Object.fromEntries(this.errors.get(g) ?? []);
      report(BENCH, `${phase}_route_${g}_ms_p50`, percentile(s, 50), 'ms', { requests: s.length, per_s: Math.round((10 * s.length) / seconds) / 10 });
      report(BENCH, `${phase}_route_${g}_ms_p99`, percentile(s, 99), 'ms', { requests: s.length, errors: this.errorCount(g), ...(Object.keys(errors).length ? { statuses: errors } : {}), ...(goalMs ? { goal_ms: goalMs } : {}) });
    }
    report(BENCH, `${phase}_errors`, this.errorCount(), 'requests', { requests: this.count, goal: 0 });
  }
}

interface Staff {
  n: number;
  hsaId: string;
  unitId: string;
  clientIds: string[];
  key: KeyObject;
  certificate: string;
}

/** A simulated workstation: its source address, instance, session, stream and cursors. */
class Workstation {
  readonly agent: http.Agent;
  token = '';
  cursors: Record<string, number> = {};
  stream: http.ClientRequest | undefined;
  streamOpen = false;
  /** Times (performance.now) of `changed` events for its unit, the last few. */
  readonly changedAt: number[] = [];
  /** Pushes of others waiting for this workstation's next `changed`: their send times. */
  readonly waiting: number[] = [];
  pulling: Promise<void> | undefined;
  pullAgain = false;
  stopped = false;

  constructor(
    readonly staff: Staff,
    readonly base: string,
    readonly address: string,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4, localAddress: address });
  }
}

export async function runLoad(args: string[]): Promise<void> {
  const o = {
    workstations: Math.max(2, arg(args, 'workstations', 500)),
    instances: Math.min(2, Math.max(1, arg(args, 'instances', 2))),
    units: Math.max(1, arg(args, 'units', 20)),
    burstS: Math.max(1, arg(args, 'burst-s', 60)),
    seconds: Math.max(5, arg(args, 'seconds', 120)),
    pushEveryS: Math.max(1, arg(args, 'push-every-s', 120)),
    openEveryS: Math.max(1, arg(args, 'open-every-s', 300)),
    officerEveryS: Math.max(1, arg(args, 'officer-every-s', 5)),
    saturateS: arg(args, 'saturate-s', 10),
    pool: Math.max(1, arg(args, 'pool', 10)),
    costRequests: Math.max(0, arg(args, 'cost-requests', 200)),
    /** The servers' SYNC_EVENT_SPREAD_MS; -1 (absent): their default. */
    eventSpreadMs: arg(args, 'event-spread-ms', -1),
  };
  // --server-root DIR: the servers run from another checkout (the same load against an earlier commit: before/after).
  const rootAt = args.indexOf('--server-root');
  const serverRoot = rootAt >= 0 ? path.resolve(args[rootAt + 1] ?? '.') : undefined;
  if (o.workstations > 2000) throw new Error('--workstations: at most 2000 (loopback source addresses and open files)');
  const deadline = Date.now() + (o.burstS + o.seconds + 2 * o.saturateS + COST_GROUPS.length * COST_MAX_S + 300) * 1000;
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now', when: 'before' });
  report(BENCH, 'setup', o.workstations, 'workstations', { ...o, cores: (await import('node:os')).cpus().length, load_average_1m: (await import('node:os')).loadavg()[0] });

  const dir = mkdtempSync(path.join(tmpdir(), 'bench-server-'));
  let database: RunningPostgres | undefined;
  const servers: ServerProcess[] = [];
  const workstations: Workstation[] = [];
  try {
    database = await startPostgres({ durable: true });
    const pki = await saveTestPki(await generateTestPki(), dir);
    const trust = trustFiles(dir);
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: String(o.pool),
      ...(o.eventSpreadMs >= 0 ? { SYNC_EVENT_SPREAD_MS: String(o.eventSpreadMs) } : {}),
      HOST: '127.0.0.1',
      PORT: '0',
      SEED: '1',
      LOG_LEVEL: 'warn',
      PUBLIC_ORIGIN: ORIGIN,
      TRUST_ANCHORS: trust.trustAnchors.join(','),
      INTERMEDIATE_CAS: trust.intermediates.join(','),
      REQUIRED_POLICIES: testPkiTrust(pki).requiredPolicies.join(','),
      // A test harness elsewhere may have set these for itself.
      EMBEDDED: '',
      MIGRATION_DATABASE_URL: '',
    };
    // The first migrates and seeds; the second starts on the migrated database (as a rolling start).
    const at = { timeoutMs: 120_000, ...(serverRoot ? { cwd: serverRoot } : {}) };
    servers.push(await startServerProcess(env, at));
    if (o.instances === 2) servers.push(await startServerProcess(env, at));
    const urls = servers.map((s) => s.url);
    report(BENCH, 'instances', servers.length, 'processes', { urls, pids: servers.map((s) => s.child.pid) });

    const { staff, officerCard } = await generateWorld(database.url, pki, o.workstations, o.units);
    for (const [i, s] of staff.entries()) {
      // 127.0.1.10 … : one address per workstation (Linux answers the whole 127/8 on loopback).
      const address = `127.0.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`;
      workstations.push(new Workstation(s, urls[i % urls.length]!, address));
    }
    const unitMembers = new Map<string, Workstation[]>();
    for (const w of workstations) (unitMembers.get(w.staff.unitId) ?? unitMembers.set(w.staff.unitId, []).get(w.staff.unitId)!).push(w);

    const pg0 = new pg.Client({ connectionString: database.url });
    await pg0.connect();
    const postmaster = postmasterOf((await pg0.query<{ pid: number }>(BACKEND_PID_SQL)).rows[0]!.pid);

    // ------------------------------------------------------------ shared behaviour ----
    let tally = new Tally();
    /** When each pull of the current phase was sent (performance.now()): how bunched they came. */
    let pullStarts: number[] = [];
    const fanout: number[] = [];
    let fanoutMissed = 0;

    const changed = (w: Workstation) => {
      const t = performance.now();
      w.changedAt.push(t);
      if (w.changedAt.length > 16) w.changedAt.shift();
      for (const sent of w.waiting.splice(0)) fanout.push(t - sent);
      void pull(w);
    };
    const pull = (w: Workstation): Promise<void> => {
      if (w.pulling) {
        w.pullAgain = true;
        return w.pulling;
      }
      w.pulling = (async () => {
        for (let page = 0; page < 50 && !w.stopped; page++) {
          w.pullAgain = false;
          pullStarts.push(performance.now());
          const a = await request(w.agent, w.base, 'POST', '/api/v1/sync/pull', { cursors: w.cursors, limit: 1000 }, w.token);
          tally.add('pull', a);
          if (a.status !== 200) break;
          const body = JSON.parse(a.body) as { cursors: Record<string, number>; hasMore: boolean };
          w.cursors = body.cursors;
          if (!body.hasMore && !w.pullAgain) break;
        }
      })().finally(() => (w.pulling = undefined));
      return w.pulling;
    };

    const openStream = (w: Workstation): Promise<void> =>
      new Promise((resolve) => {
        const t0 = performance.now();
        const req = http.get(`${w.base}/api/v1/sync/events`, { agent: false, localAddress: w.address, headers: { authorization: `Bearer ${w.token}`, ...API_VERSION_HEADER } }, (res) => {
          if (res.statusCode !== 200) {
            tally.add('events', { status: res.statusCode ?? 0, ms: performance.now() - t0, body: '' });
            res.resume();
            resolve();
            return;
          }
          let buffer = '';
          let event = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
              const line = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 1);
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line === '') event = '';
              else if (line.startsWith('data: ') && event === 'ready') {
                w.streamOpen = true;
                tally.add('events', { status: 200, ms: performance.now() - t0, body: '' });
                resolve();
              } else if (line.startsWith('data: ') && event === 'changed') changed(w);
              else if (line.startsWith('data: ') && event === 'end' && !w.stopped) tally.add('events', { status: 0, ms: 0, body: line }, false);
            }
          });
          res.on('close', () => {
            w.streamOpen = false;
            if (!w.stopped) tally.add('events', { status: -2, ms: performance.now() - t0, body: 'stream closed' }, false);
            resolve();
          });
        });
        req.on('error', () => {
          if (!w.stopped) tally.add('events', { status: -1, ms: performance.now() - t0, body: '' }, false);
          resolve();
        });
        w.stream = req;
      });

    const login = async (w: Workstation): Promise<boolean> => {
      const c = await request(w.agent, w.base, 'POST', '/api/v1/auth/challenge');
      tally.add('login', c);
      if (c.status !== 200) return false;
      const { nonce } = JSON.parse(c.body) as { nonce: string };
      const signature = sign('sha256', await authValue(ORIGIN, nonce), { key: w.staff.key, dsaEncoding: 'ieee-p1363' }).toString('base64');
      const body = { format: LOGIN_TOKEN_FORMAT, nonce, origin: ORIGIN, certificate: w.staff.certificate, algorithm: 'ES256', signature, workstation: `bank-${w.staff.n}` };
      const l = await request(w.agent, w.base, 'POST', '/api/v1/auth/login', body);
      tally.add('login', l);
      loginMs.push(c.ms + l.ms);
      if (l.status !== 200) return false;
      w.token = (JSON.parse(l.body) as { token: string }).token;
      return true;
    };
    const loginMs: number[] = [];

    const push = async (w: Workstation, r: () => number) => {
      const clientId = w.staff.clientIds[Math.floor(r() * w.staff.clientIds.length)]!;
      const record = {
        id: randomUUID(),
        clientId,
        eventDate: new Date().toISOString().slice(0, 10),
        text: 'Besök enligt plan. Hjälp med morgonrutiner, frukost och medicin. Brukaren var pigg och nöjd.',
        lifeArea: null,
        assignmentId: null,
        correctsId: null,
      };
      const others = (unitMembers.get(w.staff.unitId) ?? []).filter((x) => x !== w && x.streamOpen);
      const sent = performance.now();
      const a = await request(w.agent, w.base, 'POST', '/api/v1/sync/push', { mutations: [{ mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'journal_entry.create', record }] }, w.token);
      const applied = a.status === 200 && (JSON.parse(a.body) as { results: { status: string }[] }).results[0]?.status === 'applied';
      tally.add('push', a, applied);
      if (!applied) return;
      // Fan-out: each other workstation of the unit is told by its first `changed` after the send.
      for (const x of others) {
        const first = x.changedAt.find((t) => t > sent);
        if (first !== undefined) fanout.push(first - sent);
        else x.waiting.push(sent);
      }
    };

    const openViews = async (w: Workstation) => {
      const list = await request(w.agent, w.base, 'GET', `/api/v1/assignments?unitId=${w.staff.unitId}`, undefined, w.token);
      tally.add('inbox', list);
      const first = list.status === 200 ? (JSON.parse(list.body) as { items: { id: string }[] }).items[0] : undefined;
      if (first) tally.add('inbox', await request(w.agent, w.base, 'GET', `/api/v1/assignments/${first.id}`, undefined, w.token));
      tally.add('messages', await request(w.agent, w.base, 'GET', `/api/v1/messages/units/${w.staff.unitId}/threads`, undefined, w.token));
    };

    /** A workstation's day: login at `startMs`, stream, first pull, then pushes and views until `endAt`. */
    const live = async (w: Workstation, startMs: number, endAt: () => number) => {
      const r = rng(1000 + w.staff.n);
      await sleep(startMs);
      if (!(await login(w))) return;
      await openStream(w);
      await pull(w);
      let nextPush = performance.now() + r() * o.pushEveryS * 1000;
      let nextOpen = performance.now() + r() * o.openEveryS * 1000;
      for (let step = 0; step < 100_000 && performance.now() < endAt() && Date.now() < deadline; step++) {
        const now = performance.now();
        if (now >= nextPush) {
          nextPush = now + o.pushEveryS * 1000 * (0.5 + r());
          await push(w, r);
        } else if (now >= nextOpen) {
          nextOpen = now + o.openEveryS * 1000 * (0.5 + r());
          await openViews(w);
        } else await sleep(Math.min(nextPush, nextOpen, endAt()) - now);
      }
    };

    // ------------------------------------------------------------ the officer ----
    const officerAgent = new http.Agent({ keepAlive: true, localAddress: '127.0.0.9' });
    const officer = await officerLogin(officerAgent, urls[0]!, officerCard);
    const units = [...unitMembers.keys()];
    const officerLoop = async (endAt: () => number) => {
      const r = rng(7);
      for (let i = 0; i < 10_000 && performance.now() < endAt() && Date.now() < deadline; i++) {
        await sleep(o.officerEveryS * 1000 * (0.5 + r()));
        const unitId = units[Math.floor(r() * units.length)]!;
        const member = unitMembers.get(unitId)![0]!;
        const clientId = member.staff.clientIds[Math.floor(r() * member.staff.clientIds.length)]!;
        const today = new Date().toISOString().slice(0, 10);
        const others = (unitMembers.get(unitId) ?? []).filter((x) => x.streamOpen);
        const sent = performance.now();
        const a = await request(officerAgent, urls[i % urls.length]!, 'POST', '/api/v1/officer/assignments', {
          requestId: randomUUID(),
          client: { clientId },
          unitId,
          decision: { reference: `BANK-${i}`, date: today },
          services: [{ name: 'Hemtjänst, personlig omvårdnad', grantedHours: 10, per: 'week' }],
          startDate: today,
        }, officer);
        tally.add('officer', a);
        if (a.status !== 200) continue;
        for (const x of others) {
          const first = x.changedAt.find((t) => t > sent);
          if (first !== undefined) fanout.push(first - sent);
          else x.waiting.push(sent);
        }
      }
    };

    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    // ------------------------------------------------------------ 1. the 07:00 burst ----
    const metricsBefore = await Promise.all(urls.map(serverMetrics));
    const dbCpuBefore = processTreeCpuMs(postmaster);
    const burstStart = performance.now();
    const burstEnd = burstStart + o.burstS * 1000;
    const dayEnd = burstEnd + o.seconds * 1000;
    const starts = workstations.map((w) => rng(w.staff.n)() * o.burstS * 1000);
    const lives = workstations.map((w, i) => live(w, starts[i]!, () => dayEnd));
    const officerDone = officerLoop(() => dayEnd);
    await sleep(o.burstS * 1000 + 2_000);
    // Wait (bounded) for the last logins of the burst to finish their first pull.
    for (let i = 0; i < 600 && workstations.some((w) => !w.streamOpen && !w.token); i++) await sleep(100);
    const burst = tally;
    const burstSeconds = (performance.now() - burstStart) / 1000;
    report(BENCH, 'burst_logins', loginMs.length, 'logins', { workstations: o.workstations, seconds: o.burstS, logged_in: workstations.filter((w) => w.token).length, streams_open: workstations.filter((w) => w.streamOpen).length });
    report(BENCH, 'burst_login_ms_p50', percentile(loginMs, 50), 'ms', { what: 'challenge + login, both requests', logins: loginMs.length });
    report(BENCH, 'burst_login_ms_p99', percentile(loginMs, 99), 'ms', { goal_ms: 1000, logins: loginMs.length });
    report(BENCH, 'burst_429', burst.statusCount(429), 'responses', { goal: 0 });
    burst.print('burst', burstSeconds, null);

    // ------------------------------------------------------------ 2. the day ----
    tally = new Tally();
    pullStarts = [];
    fanout.length = 0;
    const dayStart = performance.now();
    const metricsDay = await Promise.all(urls.map(serverMetrics));
    const dbCpuDay = processTreeCpuMs(postmaster);
    // What the database's sessions wait for, sampled each second through the day (where the time goes).
    const waits = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; i < 3600 && sampling; i++) {
        const { rows } = await pg0.query<{ w: string; n: number }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n FROM pg_stat_activity
            WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY 1`,
        );
        for (const r of rows) waits.set(r.w, (waits.get(r.w) ?? 0) + r.n);
        await sleep(1000);
      }
    })();
    await Promise.all(lives);
    await officerDone;
    sampling = false;
    await sampler;
    report(BENCH, 'day_db_active_sessions', [...waits.values()].reduce((a, b) => a + b, 0) / Math.max(1, (performance.now() - dayStart) / 1000), 'sessions', {
      what: 'active client sessions of PostgreSQL, mean of one sample a second, by what they waited for (CPU: running or ready)',
      by_wait: Object.fromEntries([...waits].sort((a, b) => b[1] - a[1]).slice(0, 6)),
    });
    const daySeconds = (performance.now() - dayStart) / 1000;
    await sleep(2_000); // the last pushes' events
    for (const w of workstations) {
      fanoutMissed += w.waiting.length;
      w.waiting.length = 0;
    }
    const metricsAfter = await Promise.all(urls.map(serverMetrics));
    const dbCpuAfter = processTreeCpuMs(postmaster);
    const day = tally;
    day.print('day', daySeconds, 100);
    const herd = pullsJustBefore(pullStarts, 10);
    report(BENCH, 'day_pull_herd_p50', percentile(herd, 50), 'pulls', {
      p99: percentile(herd, 99),
      pulls: herd.length,
      what: 'other pulls sent by the workstations in the 10 ms before each pull: how many arrive at once after one `changed` (the herd that SYNC_EVENT_SPREAD_MS spreads); at random arrivals of the same rate it is about rate × 10 ms',
    });
    report(BENCH, 'day_fanout_ms_p50', percentile(fanout, 50), 'ms', { deliveries: fanout.length });
    report(BENCH, 'day_fanout_ms_p99', percentile(fanout, 99), 'ms', { deliveries: fanout.length, missed_within_2s_of_end: fanoutMissed, goal_ms: 1000, what: 'push or assignment sent → first `changed` for its unit at each other workstation of the unit' });
    const cpu = (a: ServerMetrics[], b: ServerMetrics[]) => ({
      cpuMs: b.reduce((s, m, i) => s + m.cpuS - a[i]!.cpuS, 0) * 1000,
      requests: b.reduce((s, m, i) => s + m.requests - a[i]!.requests, 0),
    });
    for (const [name, a, b, dbA, dbB] of [
      ['burst', metricsBefore, metricsDay, dbCpuBefore, dbCpuDay],
      ['day', metricsDay, metricsAfter, dbCpuDay, dbCpuAfter],
    ] as const) {
      const c = cpu(a, b);
      report(BENCH, `${name}_cpu_ms_per_request`, (c.cpuMs + dbB - dbA) / Math.max(1, c.requests), 'ms', {
        server_ms: Math.round(c.cpuMs / Math.max(1, c.requests) * 100) / 100,
        postgres_ms: Math.round((dbB - dbA) / Math.max(1, c.requests) * 100) / 100,
        requests: c.requests,
        calibration_ms: Math.round(calibrationMs() * 10) / 10,
        what: 'CPU of the server processes and PostgreSQL together per HTTP request the servers counted (event streams not counted): does not move with the machine\'s load as latency does',
      });
      report(BENCH, `${name}_server_cpu_ms_per_request`, c.cpuMs / Math.max(1, c.requests), 'ms', { server_cpu_ms: Math.round(c.cpuMs), requests: c.requests, what: 'the server processes\' own CPU (process_cpu_seconds_total), all instances, per HTTP request they counted (event streams not counted)' });
      report(BENCH, `${name}_postgres_cpu_ms_per_request`, (dbB - dbA) / Math.max(1, c.requests), 'ms', { postgres_cpu_ms: Math.round(dbB - dbA), requests: c.requests });
      serverSideLatency(name, a, b);
    }
    report(BENCH, 'load_generator_loop_delay_ms_p99', loopDelay.percentile(99) / 1e6, 'ms', {
      max_ms: Math.round(loopDelay.max / 1e6),
      what: 'this process\'s event-loop delay over the run: time a response waited here before it was timed (the client-side figures include it)',
    });

    // ------------------------------------------------------------ 3. CPU per request by route group ----
    // Each group alone, in 8 closed loops of the logged-in workstations, `--cost-requests` actions
    // (at most COST_MAX_S): the servers' and PostgreSQL's CPU over the window ÷ the requests the
    // servers counted in it. A push's window also holds the pulls its `changed` events cause at the
    // other workstations of the unit (their streams are open): its cost to the system, per push.
    if (o.costRequests > 0) {
      const live = workstations.filter((w) => w.token);
      let nextLogin = 0;
      const action: Record<CostGroup, (w: Workstation) => Promise<void>> = {
        pull: async (w) => tally.add('pull', await request(w.agent, w.base, 'POST', '/api/v1/sync/pull', { cursors: w.cursors, limit: 1000 }, w.token)),
        inbox: async (w) => tally.add('inbox', await request(w.agent, w.base, 'GET', `/api/v1/assignments?unitId=${w.staff.unitId}`, undefined, w.token)),
        messages: async (w) => tally.add('messages', await request(w.agent, w.base, 'GET', `/api/v1/messages/units/${w.staff.unitId}/threads`, undefined, w.token)),
        push: (w) => push(w, rng(w.staff.n)),
        // Each login from the next workstation's own address (the per-address limit stays far off).
        login: async () => void (await login(workstations[nextLogin++ % workstations.length]!)),
      };
      for (const group of COST_GROUPS) {
        tally = new Tally();
        await sleep(1_000); // the previous group's last events and pulls
        const m0 = await Promise.all(urls.map(serverMetrics));
        const db0 = processTreeCpuMs(postmaster);
        const until = performance.now() + COST_MAX_S * 1000;
        let done = 0;
        await Promise.all(
          Array.from({ length: 8 }, async (_, loop) => {
            for (let k = loop; done < o.costRequests && performance.now() < until; k += 8) {
              done++;
              await action[group](live[k % live.length]!);
            }
          }),
        );
        await sleep(group === 'push' ? 2_000 : 200); // a push's fan-out pulls belong to its cost
        const m1 = await Promise.all(urls.map(serverMetrics));
        const c = cpu(m0, m1);
        const dbMs = processTreeCpuMs(postmaster) - db0;
        report(BENCH, `cost_${group}_cpu_ms_per_request`, (c.cpuMs + dbMs) / Math.max(1, c.requests), 'ms', {
          server_ms: Math.round((c.cpuMs / Math.max(1, c.requests)) * 100) / 100,
          postgres_ms: Math.round((dbMs / Math.max(1, c.requests)) * 100) / 100,
          actions: done,
          requests: c.requests,
          cpu_ms_per_action: Math.round(((c.cpuMs + dbMs) / Math.max(1, done)) * 100) / 100,
          errors: tally.errorCount(),
          what: COST_WHAT[group],
        });
      }
    }

    // ------------------------------------------------------------ 4. throughput 1 vs 2 ----
    if (o.saturateS > 0 && urls.length === 2) {
      const sample = workstations.filter((w) => w.token).slice(0, 32);
      const rps: number[] = [];
      for (const targets of [[urls[0]!], urls]) {
        tally = new Tally();
        const until = performance.now() + o.saturateS * 1000;
        let done = 0;
        await Promise.all(
          sample.map(async (w, i) => {
            const base = targets[i % targets.length]!;
            for (let k = 0; k < 100_000 && performance.now() < until; k++) {
              tally.add('pull', await request(w.agent, base, 'POST', '/api/v1/sync/pull', { cursors: w.cursors, limit: 1000 }, w.token));
              tally.add('inbox', await request(w.agent, base, 'GET', `/api/v1/assignments?unitId=${w.staff.unitId}`, undefined, w.token));
              done += 2;
            }
          }),
        );
        rps.push(done / o.saturateS);
        report(BENCH, `saturated_${targets.length}_instance_rps`, done / o.saturateS, 'requests/s', { loops: sample.length, seconds: o.saturateS, errors: tally.errorCount(), p99_ms: Math.round(percentile([...tally.ms.values()].flat(), 99)) });
      }
      report(BENCH, 'throughput_2_to_1', rps[1]! / rps[0]!, 'ratio', { what: 'closed-loop requests/s with both instances ÷ with one, same PostgreSQL, same machine (two cores shared by servers, PostgreSQL and this load generator)' });
    }
    await pg0.end();
    officerAgent.destroy();
  } finally {
    for (const w of workstations) {
      w.stopped = true;
      w.stream?.destroy();
      w.agent.destroy();
    }
    for (const s of servers) await stopServerProcess(s);
    await database?.stop();
    rmSync(dir, { recursive: true, force: true });
    report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { when: 'after' });
  }
}

/** The route groups measured alone for their CPU per request (phase 3), and what one action is. */
const COST_GROUPS = ['pull', 'inbox', 'messages', 'push', 'login'] as const;
type CostGroup = (typeof COST_GROUPS)[number];
const COST_MAX_S = 30;
const COST_WHAT: Record<CostGroup, string> = {
  pull: 'a pull with current cursors (nothing or little new: the day\'s usual pull)',
  inbox: 'the unit\'s assignment list',
  messages: 'the unit\'s message threads',
  push: 'one journal entry pushed, with the pulls its event causes at the unit\'s other workstations',
  login: 'a card login: challenge and login (ECDSA verified, certificate chain, session written, access-logged)',
};

/** For each time in `starts`, how many others lie in the `windowMs` before it. */
function pullsJustBefore(starts: number[], windowMs: number): number[] {
  const sorted = [...starts].sort((a, b) => a - b);
  const out: number[] = [];
  let first = 0;
  for (const [i, t] of sorted.entries()) {
    while (sorted[first]! < t - windowMs) first++;
    out.push(i - first);
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/**
 * `units` units of 15 clients and a few hundred journal entries in the demo organisation, and
 * `n` staff with a permission to one unit each and a software card (P-256 key, certificate from
 * the test CA); the officer's card for the demo case officer.
 */
async function generateWorld(url: string, pki: Awaited<ReturnType<typeof generateTestPki>>, n: number, unitCount: number): Promise<{ staff: Staff[]; officerCard: { key: KeyObject; certificate: string } }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const t0 = performance.now();
  const staff: Staff[] = [];
  try {
    await client.query('BEGIN');
    const org = (await client.query<{ id: string }>('SELECT id FROM organisations ORDER BY created_at LIMIT 1')).rows[0]!.id;
    const unitIds: string[] = [];
    const clients = new Map<string, string[]>();
    for (let u = 0; u < unitCount; u++) {
      const unitId = uuid(0xbe, u + 1);
      unitIds.push(unitId);
      await client.query(`INSERT INTO units (id, organisation_id, name, service_type, service_kinds) VALUES ($1, $2, $3, 'hemtjanst', ARRAY['hemtjanst'])`, [unitId, org, `Hemtjänst Bänken ${u + 1}`]);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO clients (personnummer, given_name, family_name, unit_id)
         SELECT '19' || lpad(($2 * 100 + g)::text, 10, '0'), 'Brukare', 'Nummer ' || g, $1 FROM generate_series(1, 15) g RETURNING id`,
        [unitId, u + 1],
      );
      clients.set(unitId, rows.map((r) => r.id));
    }
    const author = (await client.query<{ id: string; hsa_id: string; given_name: string; family_name: string; title: string }>("SELECT id, hsa_id, given_name, family_name, title FROM staff WHERE role <> 'case_officer' AND organisation_id IS NOT NULL LIMIT 1")).rows[0]!;
    await client.query(
      `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, author_staff_id, author_hsa_id, author_name, author_title, created_at)
       SELECT gen_random_uuid(), c.id, c.unit_id, current_date - (g % 30), 'Besök ' || g || '. Hjälp med frukost och medicin.', NULL, $2, $3, $4, $5, now() - (g % 30) * interval '1 day'
         FROM clients c, generate_series(1, 20) g WHERE c.unit_id = ANY($1::uuid[])`,
      [unitIds, author.id, author.hsa_id, `${author.given_name} ${author.family_name}`, author.title],
    );
    for (let i = 0; i < n; i++) {
      const hsaId = `SE2321000131-P7${String(i).padStart(10, '0')}`;
      const unitId = unitIds[i % unitIds.length]!;
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, 'Personal', $2, 'Undersköterska', 'staff', $3) RETURNING id`,
        [hsaId, `Nummer ${i + 1}`, org],
      );
      await client.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) VALUES ($1, $2, '2025-01-01')`, [rows[0]!.id, unitId]);
      staff.push({ n: i, hsaId, unitId, clientIds: clients.get(unitId)!, key: undefined as unknown as KeyObject, certificate: '' });
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  const card = async (hsaId: string, givenName: string, familyName: string) => {
    const c = await issuePersonCard(pki, { hsaId, givenName, familyName, algorithm: 'ec', withSignatureKey: false });
    return { key: createPrivateKey(c.auth.privateKeyPem), certificate: c.auth.certificateChainPem[0]!.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '') };
  };
  for (const s of staff) Object.assign(s, await card(s.hsaId, 'Personal', `Nummer ${s.n + 1}`));
  const officerCard = await card(OFFICER_HSA, 'Maria', 'Ek');
  report(BENCH, 'world', n, 'staff', { units: unitCount, clients_per_unit: 15, journal_entries_per_client: 20, generate_s: Math.round((performance.now() - t0) / 100) / 10 });
  return { staff, officerCard };
}

async function officerLogin(agent: http.Agent, base: string, card: { key: KeyObject; certificate: string }): Promise<string> {
  const c = await request(agent, base, 'POST', '/api/v1/auth/challenge');
  if (c.status !== 200) throw new Error(`officer challenge: ${c.status} ${c.body}`);
  const { nonce } = JSON.parse(c.body) as { nonce: string };
  const signature = sign('sha256', await authValue(ORIGIN, nonce), { key: card.key, dsaEncoding: 'ieee-p1363' }).toString('base64');
  const l = await request(agent, base, 'POST', '/api/v1/officer/auth/login', { format: LOGIN_TOKEN_FORMAT, nonce, origin: ORIGIN, certificate: card.certificate, algorithm: 'ES256', signature });
  if (l.status !== 200) throw new Error(`officer login: ${l.status} ${l.body}`);
  return (JSON.parse(l.body) as { token: string }).token;
}

interface ServerMetrics {
  cpuS: number;
  requests: number;
  /** Per route group, the cumulative count of requests at or under each bucket bound (seconds), from the latency histogram. */
  buckets: Map<Group, Map<number, number>>;
  /** The request pool's wait for a connection, likewise. */
  poolWait: Map<number, number>;
  /** Where pulls spent their time (omsorg_sync_pull_stage_seconds), per stage, likewise. */
  pullStages: Map<string, Map<number, number>>;
}

const groupOf = (route: string): Group | null =>
  route.startsWith('/api/v1/auth/') ? 'login'
  : route === '/api/v1/sync/pull' ? 'pull'
  : route === '/api/v1/sync/push' ? 'push'
  : route.startsWith('/api/v1/officer/') ? 'officer'
  : route.startsWith('/api/v1/assignments') ? 'inbox'
  : route.startsWith('/api/v1/messages/') ? 'messages'
  : null;

/** The instance's own CPU seconds and the HTTP requests it has counted, from its /metrics. */
async function serverMetrics(base: string): Promise<ServerMetrics> {
  const agent = new http.Agent({ keepAlive: false });
  const a = await request(agent, base, 'GET', '/metrics');
  if (a.status !== 200) throw new Error(`/metrics: ${a.status}`);
  let cpuS = 0;
  let requests = 0;
  const buckets = new Map<Group, Map<number, number>>();
  const poolWait = new Map<number, number>();
  const pullStages = new Map<string, Map<number, number>>();
  const add = (m: Map<number, number>, le: number, n: number) => m.set(le, (m.get(le) ?? 0) + n);
  const bound = (line: string) => {
    const le = /le="([^"]*)"/.exec(line)?.[1];
    return le === '+Inf' ? Infinity : Number(le);
  };
  for (const line of a.body.split('\n')) {
    const n = Number(line.split(' ').at(-1));
    if (line.startsWith('process_cpu_seconds_total ')) cpuS = n;
    else if (line.startsWith('omsorg_http_request_duration_seconds_count{') && !line.includes('route="/metrics"')) requests += n;
    else if (line.startsWith('omsorg_http_request_duration_seconds_bucket{')) {
      const group = groupOf(/route="([^"]*)"/.exec(line)?.[1] ?? '');
      if (group) add(buckets.get(group) ?? buckets.set(group, new Map()).get(group)!, bound(line), n);
    } else if (line.startsWith('omsorg_db_pool_wait_seconds_bucket{')) add(poolWait, bound(line), n);
    else if (line.startsWith('omsorg_sync_pull_stage_seconds_bucket{')) {
      const stage = /stage="([^"]*)"/.exec(line)?.[1] ?? '';
      add(pullStages.get(stage) ?? pullStages.set(stage, new Map()).get(stage)!, bound(line), n);
    }
  }
  return { cpuS, requests, buckets, poolWait, pullStages };
}

/**
 * The servers' own view of a window (their latency histograms, both instances summed, after minus
 * before): per route group the share answered within 100 ms and the bucket bound the 99th
 * percentile falls in. This leaves out the time a request spent in this (busy) load generator.
 */
function serverSideLatency(phase: string, before: ServerMetrics[], after: ServerMetrics[]): void {
  const delta = (pick: (m: ServerMetrics) => Map<number, number> | undefined) => {
    const out = new Map<number, number>();
    for (const [i, m] of after.entries()) for (const [le, n] of pick(m) ?? []) out.set(le, (out.get(le) ?? 0) + n - (pick(before[i]!)?.get(le) ?? 0));
    return out;
  };
  const describe = (d: Map<number, number>) => {
    const total = d.get(Infinity) ?? 0;
    const bounds = [...d.keys()].sort((x, y) => x - y);
    const p99 = bounds.find((le) => (d.get(le) ?? 0) >= 0.99 * total) ?? Infinity;
    return { total, p99 };
  };
  for (const g of ROUTE_GROUPS) {
    const d = delta((m) => m.buckets.get(g));
    const { total, p99 } = describe(d);
    if (total === 0) continue;
    report(BENCH, `${phase}_server_side_${g}_within_100ms`, (d.get(0.1) ?? 0) / total, 'share', { requests: total, p99_at_most_ms: p99 * 1000, goal: '≥ 0.99 (p99 < 100 ms)' });
  }
  const w = delta((m) => m.poolWait);
  const { total, p99 } = describe(w);
  if (total > 0) report(BENCH, `${phase}_server_side_pool_wait_p99_at_most_ms`, p99 * 1000, 'ms', { waits: total, within_1ms: Math.round((1000 * (w.get(0.001) ?? 0)) / total) / 1000 });
  // Where a pull's time went, stage by stage (server/sync/routes.ts): the bound its p50 and p99 fall in.
  const stages = new Set(after.flatMap((m) => [...m.pullStages.keys()]));
  for (const stage of stages) {
    const d = delta((m) => m.pullStages.get(stage));
    const { total, p99 } = describe(d);
    if (total === 0) continue;
    const bounds = [...d.keys()].sort((x, y) => x - y);
    const p50 = bounds.find((le) => (d.get(le) ?? 0) >= 0.5 * total) ?? Infinity;
    report(BENCH, `${phase}_server_side_pull_stage_${stage}_p99_at_most_ms`, p99 * 1000, 'ms', { pulls: total, p50_at_most_ms: p50 * 1000, within_10ms: Math.round((1000 * (d.get(0.01) ?? 0)) / total) / 1000 });
  }
}
