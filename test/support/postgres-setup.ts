/**
 * Vitest global setup: a real PostgreSQL server for the integration and e2e projects, started in
 * a fresh temporary directory and removed afterwards.
 *
 * - binaries from $PG_BIN, else /usr/lib/postgresql/{15,16,17}/bin (Debian's `postgresql` package);
 * - initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser);
 * - listens on 127.0.0.1 only, on a free port, with its unix socket inside the temp dir;
 * - trust authentication (loopback only, throwaway data), fsync off for speed.
 *
 * Tests read the URL with `inject('databaseUrl')` (or process.env.TEST_DATABASE_URL) and make their
 * own database with test/support/postgres.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://… of the server started by test/support/postgres-setup.ts (database `postgres_test`). */
    databaseUrl: string;
  }
}

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

function findBinDir(): string {
  const candidates = [process.env.PG_BIN, ...[15, 16, 17].map((v) => `/usr/lib/postgresql/${v}/bin`)];
  const found = candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error('PostgreSQL binaries not found: install the `postgresql` package or set PG_BIN');
  return found;
}

/** Runs a PostgreSQL tool; as root, as the `postgres` user. */
async function pgTool(binDir: string, tool: string, args: string[]): Promise<string> {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', join(binDir, tool), ...args]] : [join(binDir, tool), args];
  const { stdout } = await run(file, argv, { timeout: 60_000 });
  return stdout;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningPostgres {
  url: string;
  /** Stops PostgreSQL (fast: connections are cut) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway cluster; exported for tools and benchmarks that want one outside vitest.
 * Tests run it without fsync (speed, throwaway data); `durable: true` keeps PostgreSQL's
 * production defaults (fsync, synchronous commit, full page writes), for benchmark figures.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<RunningPostgres> {
  const binDir = findBinDir();
  const root = await mkdtemp(join(tmpdir(), 'omsorg-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = root;
  if (isRoot) await run('chown', ['-R', 'postgres:postgres', root]);
  await chmod(root, 0o700);

  const cleanUp = () => rm(root, { recursive: true, force: true });
  try {
    await pgTool(binDir, 'initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    let port = 0;
    let options = '';
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      options = [
        `-p ${port}`,
        `-c listen_addresses=127.0.0.1`,
        `-c unix_socket_directories=${socketDir}`,
        ...(opts.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
        '-c max_connections=200',
      ].join(' ');
      try {
        await pgTool(binDir, 'pg_ctl', ['start', '-D', dataDir, '-w', '-t', '30', '-l', join(root, 'postgres.log'), '-o', options]);
        break;
      } catch (error) {
        // Another process may have taken the port between probing and binding: try another.
        if (attempt >= 3) throw new Error(`PostgreSQL did not start: ${await logTail(root)}`, { cause: error });
      }
    }

    const serverUrl = `postgres://postgres@127.0.0.1:${port}`;
    const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE postgres_test');
    await admin.end();

    return {
      url: `${serverUrl}/postgres_test`,
      async restart() {
        await pgTool(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']);
        await pgTool(binDir, 'pg_ctl', ['start', '-D', dataDir, '-w', '-t', '30', '-l', join(root, 'postgres.log'), '-o', options]);
      },
      async stop() {
        await pgTool(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']).catch(() => undefined);
        await cleanUp();
      },
    };
  } catch (error) {
    await pgTool(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate']).catch(() => undefined);
    await cleanUp();
    throw error;
  }
}

async function logTail(root: string): Promise<string> {
  const log = await readFile(join(root, 'postgres.log'), 'utf8').catch(() => '');
  return log.split('\n').slice(-10).join('\n');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startPostgres();
  project.provide('databaseUrl', postgres.url);
  process.env.TEST_DATABASE_URL = postgres.url;
  return () => postgres.stop();
}
