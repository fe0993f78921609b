/**
 * What one card login costs the server (issue 33, the 07:00 burst), independent of how busy the
 * machine is: `npm run bench -- login-burst [--logins 100] [--profile]`.
 *
 * One in-process server (createServer, as server/main.ts builds it) on a throwaway PostgreSQL with
 * production durability (fsync on), trusting the test PKI; `--logins` staff members of one unit,
 * each with a generated P-256 card. The logins run one after another (no overlap), so the CPU
 * this process spent inside each request is that request's own: challenge + login, then the
 * workstation's first pull from empty. The card's signature is made between the two requests,
 * outside the measurement. Printed: server CPU ms per login and per first pull (process.cpuUsage,
 * user + system), PostgreSQL CPU ms per login (its process tree, /proc), wall ms, and the database
 * round trips and transactions per request (every query the server sent, counted at the Db),
 * with the machine's calibration before and after.
 *
 * `--profile`: `node --cpu-prof` is the tool for where inside a login the CPU goes; run
 * `node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/run.ts login-burst` and read the profile.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { authValue, LOGIN_TOKEN_FORMAT } from '#contract';
import { createServer } from '../server/app';
import { migrate, openPostgres, type Db, type Queryable } from '../server/db';
import { seedDemoData } from '../server/demo';
import { startPostgres, type RunningPostgres } from '../test/support/postgres-setup';
import { generateTestPki, issuePersonCard, testPkiTrust } from '../tools/pki';
import { BACKEND_PID_SQL, postmasterOf, processTreeCpuMs } from './pg-cpu';
import { arg, calibrationMs, percentile, report } from './report';

const BENCH = 'login-burst';
const ORIGIN = 'https://omsorg.bank.test';
const HEADERS = { 'x-omsorg-api-version': '2' };

/** The database, counting what is sent to it: statements (round trips) and transactions. */
function counting(db: Db): { db: Db; counts: { queries: number; transactions: number } } {
  const counts = { queries: 0, transactions: 0 };
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params, options) => {
      counts.queries++;
      return q.query(sql, params, options);
    },
    exec: (sql) => {
      counts.queries++;
      return q.exec(sql);
    },
  });
  const counted: Db = {
    ...db,
    kind: db.kind,
    ...wrap(db),
    transaction: (fn) => {
      counts.transactions++;
      // BEGIN and COMMIT are round trips too.
      counts.queries += 2;
      return db.transaction((tx) => fn(wrap(tx)));
    },
    listen: (...a) => db.listen(...a),
    close: () => db.close(),
    ...(db.poolStats ? { poolStats: () => db.poolStats!() } : {}),
  };
  return { db: counted, counts };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function run(args: string[]): Promise<void> {
  const n = Math.min(1000, Math.max(5, arg(args, 'logins', 100)));
  const warmUp = 5;
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { when: 'before', load_average_1m: (await import('node:os')).loadavg()[0] });
  let database: RunningPostgres | undefined;
  let raw: Db | undefined;
  try {
    database = await startPostgres({ durable: true });
    raw = await openPostgres({ connectionString: database.url });
    await migrate(raw);
    await seedDemoData(raw);
    const pki = await generateTestPki();
    const staff = await makeStaff(raw, pki, n + warmUp);
    const backend = (await raw.query<{ pid: number }>(BACKEND_PID_SQL)).rows[0]!.pid;
    const postmaster = postmasterOf(backend);

    const { db, counts } = counting(raw);
    const app = createServer({ db, version: 'bench', logger: false, auth: { trust: testPkiTrust(pki), expectedOrigin: ORIGIN }, sync: { retentionIntervalMs: false } });
    await app.ready();

    const samples = { loginCpu: [] as number[], loginWall: [] as number[], pgCpu: [] as number[], challengeQ: [] as number[], loginQ: [] as number[], loginTx: [] as number[], pullCpu: [] as number[], pullWall: [] as number[], pullQ: [] as number[], pullPages: [] as number[] };
    for (const [i, s] of staff.entries()) {
      const remoteAddress = `10.1.${Math.floor(i / 200)}.${i % 200}`;
      let q0 = counts.queries;
      const pg0 = processTreeCpuMs(postmaster);
      let c0 = cpuMs();
      let t0 = performance.now();
      const c = await app.inject({ method: 'POST', url: '/api/v1/auth/challenge', remoteAddress, headers: HEADERS });
      let cpu = cpuMs() - c0;
      let wall = performance.now() - t0;
      const challengeQ = counts.queries - q0;
      if (c.statusCode !== 200) throw new Error(`challenge: ${c.statusCode} ${c.body}`);
      const { nonce } = c.json<{ nonce: string }>();
      const signature = sign('sha256', await authValue(ORIGIN, nonce), { key: s.key, dsaEncoding: 'ieee-p1363' }).toString('base64');
      const payload = { format: LOGIN_TOKEN_FORMAT, nonce, origin: ORIGIN, certificate: s.certificate, algorithm: 'ES256', signature, workstation: `bank-${i}` };
      q0 = counts.queries;
      const tx0 = counts.transactions;
      c0 = cpuMs();
      t0 = performance.now();
      const l = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, headers: HEADERS, payload });
      cpu += cpuMs() - c0;
      wall += performance.now() - t0;
      if (l.statusCode !== 200) throw new Error(`login: ${l.statusCode} ${l.body}`);
      const loginQ = counts.queries - q0;
      const loginTx = counts.transactions - tx0;
      // The group commit of the access log and the session insert are committed by now (the answer waited for them).
      const pgCpu = processTreeCpuMs(postmaster) - pg0;
      const token = l.json<{ token: string }>().token;

      // The workstation's first pull from empty, page by page.
      let cursors: Record<string, number> = {};
      q0 = counts.queries;
      c0 = cpuMs();
      t0 = performance.now();
      let pages = 0;
      for (; pages < 50; ) {
        const p = await app.inject({ method: 'POST', url: '/api/v1/sync/pull', remoteAddress, headers: { ...HEADERS, authorization: `Bearer ${token}` }, payload: { cursors, limit: 1000 } });
        pages++;
        if (p.statusCode !== 200) throw new Error(`pull: ${p.statusCode} ${p.body}`);
        const body = p.json<{ cursors: Record<string, number>; hasMore: boolean }>();
        cursors = body.cursors;
        if (!body.hasMore) break;
      }
      const pullCpu = cpuMs() - c0;
      const pullWall = performance.now() - t0;
      if (i < warmUp) continue;
      samples.loginCpu.push(cpu);
      samples.loginWall.push(wall);
      samples.pgCpu.push(pgCpu);
      samples.challengeQ.push(challengeQ);
      samples.loginQ.push(loginQ);
      samples.loginTx.push(loginTx);
      samples.pullCpu.push(pullCpu);
      samples.pullWall.push(pullWall);
      samples.pullQ.push(counts.queries - q0);
      samples.pullPages.push(pages);
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const what = { logins: n, warm_up: warmUp, sequential: true };
    report(BENCH, 'login_server_cpu_ms_p50', percentile(samples.loginCpu, 50), 'ms', { ...what, mean: Math.round(mean(samples.loginCpu) * 100) / 100, p90: Math.round(percentile(samples.loginCpu, 90) * 100) / 100, what: 'challenge + login, this process (server) CPU, user + system' });
    report(BENCH, 'login_postgres_cpu_ms_mean', mean(samples.pgCpu), 'ms', { ...what, what: 'PostgreSQL process tree CPU during challenge + login (10 ms ticks: the mean is the figure)' });
    report(BENCH, 'login_wall_ms_p50', percentile(samples.loginWall, 50), 'ms', { ...what, p99: Math.round(percentile(samples.loginWall, 99)) });
    report(BENCH, 'challenge_db_round_trips', mean(samples.challengeQ), 'statements', what);
    report(BENCH, 'login_db_round_trips', mean(samples.loginQ), 'statements', { ...what, transactions: mean(samples.loginTx) });
    report(BENCH, 'first_pull_server_cpu_ms_p50', percentile(samples.pullCpu, 50), 'ms', { ...what, mean: Math.round(mean(samples.pullCpu) * 100) / 100, pages: mean(samples.pullPages) });
    report(BENCH, 'first_pull_wall_ms_p50', percentile(samples.pullWall, 50), 'ms', what);
    report(BENCH, 'first_pull_db_round_trips', mean(samples.pullQ), 'statements', what);
    await app.close();
  } finally {
    await raw?.close();
    await database?.stop();
    report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { when: 'after', load_average_1m: (await import('node:os')).loadavg()[0] });
  }
}

/** `count` staff members of the demo organisation's first unit, each with a permission and a P-256 card from the test CA. */
async function makeStaff(db: Db, pki: Awaited<ReturnType<typeof generateTestPki>>, count: number): Promise<{ key: KeyObject; certificate: string }[]> {
  const unit = (await db.query<{ id: string; organisation_id: string }>('SELECT id, organisation_id FROM units ORDER BY name LIMIT 1')).rows[0]!;
  const out: { key: KeyObject; certificate: string }[] = [];
  for (let i = 0; i < count; i++) {
    const hsaId = `SE2321000131-P8${String(i).padStart(10, '0')}`;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, 'Personal', $2, 'Undersköterska', 'staff', $3) RETURNING id`,
      [hsaId, `Nummer ${i + 1}`, unit.organisation_id],
    );
    await db.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) VALUES ($1, $2, '2025-01-01')`, [rows[0]!.id, unit.id]);
    const card = await issuePersonCard(pki, { hsaId, givenName: 'Personal', familyName: `Nummer ${i + 1}`, algorithm: 'ec', withSignatureKey: false });
    out.push({ key: createPrivateKey(card.auth.privateKeyPem), certificate: card.auth.certificateChainPem[0]!.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '') });
  }
  return out;
}
