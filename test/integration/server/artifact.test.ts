/**
 * The server as IT deploys it (issue 33, point 1; docs/operations.md): `npm run build:server`
 * builds dist/server, a runtime-only install (`npm ci --omit=dev`) of exactly those files runs it
 * with plain `node` — the entrypoint the systemd unit and the Containerfile use — against real
 * PostgreSQL: `main.js migrate` as the owner, then `main.js` as the runtime role, which serves
 * /health and logs a card in. No container tool runs here (no Docker engine; see
 * docs/operations.md), so this test is the proof that the container's entrypoint runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, HealthResponse, LoginResponse, TEST_LOA3_POLICY_OID, UnitsResponse } from '#contract';
import { buildServer } from '../../../scripts/build-server';
import { createTestPki, issuePersonCard, trustFiles, type TestPki } from '../../../tools/pki/index';
import { createTestDatabase, createTestRoles, type TestDatabase, type TestRoles } from '../../support/postgres';
import { runNode, startServerProcess, stopServerProcess, type ServerProcess } from '../../support/server-process';
import { PEOPLE, loginToken } from '../../unit/server/auth-suite';

const run = promisify(execFile);

describe('the built server artifact on a runtime-only install', { timeout: 180_000 }, () => {
  let dir: string;
  let database: TestDatabase;
  let roles: TestRoles;
  let pkiDir: string;
  let pki: TestPki;
  let server: ServerProcess | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omsorg-artifact-'));
    await buildServer(join(dir, 'server'));
    // The install IT runs: the lock in the artifact, nothing for development, no install scripts.
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: join(dir, 'server'), timeout: 150_000, shell: process.platform === 'win32' });
    database = await createTestDatabase('artifact');
    roles = await createTestRoles(database);
    pkiDir = await mkdtemp(join(tmpdir(), 'omsorg-pki-'));
    pki = await createTestPki(pkiDir);
    const files = trustFiles(pkiDir);
    env = {
      // Nothing of the development environment leaks in: only what the unit file would set.
      NODE_OPTIONS: '',
      DATABASE_URL: roles.runtimeUrl,
      MIGRATION_DATABASE_URL: roles.ownerUrl,
      SEED: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      TRUST_ANCHORS: files.trustAnchors.join(','),
      INTERMEDIATE_CAS: files.intermediates.join(','),
      REQUIRED_POLICIES: TEST_LOA3_POLICY_OID,
    };
  }, 200_000);
  afterAll(async () => {
    await stopServerProcess(server);
    await database?.drop();
    await roles?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
  });

  it('holds the bundle, its migrations, the unit and the Containerfile, and installs only the runtime', async () => {
    const root = join(dir, 'server');
    for (const file of ['main.js', 'package.json', 'package-lock.json', 'omsorg-server.service', 'Containerfile', 'server/migrations/0001_initial.sql']) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: unknown };
    expect(pkg.devDependencies).toBeUndefined();
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['fastify', 'pg', 'pino', 'zod', '@electric-sql/pglite']));
    // Development tools and the workstation's packages are not there.
    for (const absent of ['tsx', 'vite', 'vitest', 'typescript', 'electron', 'react', 'better-sqlite3-multiple-ciphers']) {
      expect(existsSync(join(root, 'node_modules', absent)), absent).toBe(false);
    }
    const containerfile = await readFile(join(root, 'Containerfile'), 'utf8');
    expect(containerfile).toMatch(/npm ci --omit=dev/);
    expect(containerfile).toMatch(/ENTRYPOINT \["node", "main\.js"\]/);
    expect(await readFile(join(root, 'omsorg-server.service'), 'utf8')).toMatch(/ExecStart=\/usr\/bin\/node \/opt\/omsorg-server\/main\.js/);
  });

  it('refuses to start without DATABASE_URL unless told to embed', async () => {
    const refused = await runNode(['main.js'], { ...env, DATABASE_URL: '', MIGRATION_DATABASE_URL: '' }, join(dir, 'server'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/DATABASE_URL is not set.*EMBEDDED=1 or --embedded/);
  });

  it('migrates as its own command, as the owner, granting the runtime role', async () => {
    const migrated = await runNode(['main.js', 'migrate'], env, join(dir, 'server'));
    expect(migrated.stderr).not.toMatch(/"level":50/);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toBe('migrations done\n');
    expect(migrated.stderr).toMatch(/runtime role granted/);
  });

  it('serves as the runtime role: /health, and a card login that lists her units', async () => {
    server = await startServerProcess({ ...env, MIGRATE_ON_START: '0' }, { argv: ['main.js'], cwd: join(dir, 'server') });
    const health = HealthResponse.parse(await (await fetch(`${server.url}/health`)).json());
    expect(health).toMatchObject({ status: 'ok', database: 'postgres' });

    const card = await issuePersonCard(pki, { ...PEOPLE.anna, algorithm: 'rsa', withSignatureKey: false });
    const post = (path: string, body: unknown) => fetch(`${server!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { nonce } = ChallengeResponse.parse(await (await post('/api/v1/auth/challenge', {})).json());
    const login = await post('/api/v1/auth/login', await loginToken(card, nonce, server.url));
    expect(login.status).toBe(200);
    const { token } = LoginResponse.parse(await login.json());
    const units = UnitsResponse.parse(await (await fetch(`${server.url}/api/v1/units`, { headers: { authorization: `Bearer ${token}` } })).json());
    expect(units.units.map((u) => u.name)).toEqual(['Hemtjänst Majorna']);

    // What the container's HEALTHCHECK and a load balancer ask, and what Prometheus scrapes.
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^omsorg_logins_total\{outcome="success"\} 1$/m);
    expect(metrics).toMatch(/^omsorg_db_pool_wait_seconds_count [1-9]\d*$/m);
    expect(metrics).toMatch(/^process_cpu_seconds_total /m);
    expect(await stopServerProcess(server)).toBe(0);
  });
});
