/**
 * A real PgBouncer (Debian package `pgbouncer`) in transaction mode on loopback in front of a test
 * PostgreSQL, as a municipality runs one in front of its database (docs/operations.md). Trust
 * authentication for the `postgres` user only (throwaway data); statement_timeout is one of the
 * startup parameters it ignores, as the operations guide tells (the timeout is set on the role).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres-setup';

export interface RunningPgBouncer {
  /** `url` with host and port replaced by PgBouncer's. */
  through(url: string): string;
  /** postgres://…/pgbouncer: the admin console (SHOW STATS, SHOW POOLS). */
  adminUrl: string;
  stop(): Promise<void>;
}

const BINARY = '/usr/sbin/pgbouncer';

export async function startPgBouncer(postgresUrl: string, opts: { poolSize?: number } = {}): Promise<RunningPgBouncer> {
  const target = new URL(postgresUrl);
  const dir = await mkdtemp(join(tmpdir(), 'omsorg-pgbouncer-'));
  const port = await freePort();
  const ini = [
    '[databases]',
    `* = host=${target.hostname} port=${target.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    'admin_users = postgres',
    'pool_mode = transaction',
    'max_client_conn = 2000',
    `default_pool_size = ${opts.poolSize ?? 10}`,
    'ignore_startup_parameters = extra_float_digits,statement_timeout',
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'pgbouncer.ini'), ini);
  await writeFile(join(dir, 'userlist.txt'), '"postgres" ""\n');
  // PgBouncer refuses to run as root: as root, as the postgres user (like the test PostgreSQL).
  const isRoot = process.getuid?.() === 0;
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  await chmod(dir, 0o755);
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', BINARY, join(dir, 'pgbouncer.ini')]] : [BINARY, [join(dir, 'pgbouncer.ini')]];
  const child: ChildProcess = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));

  const through = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  const adminUrl = through(new URL('/pgbouncer', postgresUrl).toString());
  // Ready when it accepts a connection.
  const { default: pg } = await import('pg');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = new pg.Client({ connectionString: adminUrl });
    try {
      await probe.connect();
      await probe.end();
      break;
    } catch (error) {
      await probe.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        const log = await readFile(join(dir, 'pgbouncer.log'), 'utf8').catch(() => '');
        child.kill('SIGKILL');
        await rm(dir, { recursive: true, force: true });
        throw new Error(`PgBouncer did not start: ${stderr}${log}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    through,
    adminUrl,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
