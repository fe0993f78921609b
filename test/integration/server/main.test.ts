import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse, TEST_LOA3_POLICY_OID } from '#contract';
import { HealthResponse, ServerErrorBody, UnitsResponse } from '#contract';
import { verifyChain } from '../../../server/audit/access-log';
import { openPostgres } from '../../../server/db/postgres';
import { createTestPki, issuePersonCard, trustFiles, type TestPki } from '../../../tools/pki/index';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../../support/server-process';
import { PEOPLE, loginToken } from '../../unit/server/auth-suite';

type Started = ServerProcess;
const startServer = (env: NodeJS.ProcessEnv) => startServerProcess(env);
const stop = async (server: Started | undefined) => {
  await stopServerProcess(server);
};

const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body ?? {}) });

describe('npm run server (server/main.ts) against PostgreSQL, with card login', () => {
  let database: TestDatabase;
  let pkiDir: string;
  let pki: TestPki;
  let server: Started;

  beforeAll(async () => {
    database = await createTestDatabase('server_main');
    pkiDir = await mkdtemp(join(tmpdir(), 'omsorg-pki-'));
    pki = await createTestPki(pkiDir);
    const files = trustFiles(pkiDir);
    server = await startServer({
      DATABASE_URL: database.url,
      SEED: '1',
      PORT: '0',
      HOST: '',
      TRUST_ANCHORS: files.trustAnchors.join(','),
      INTERMEDIATE_CAS: files.intermediates.join(','),
      REQUIRED_POLICIES: TEST_LOA3_POLICY_OID,
    });
  });
  afterAll(async () => {
    await stop(server);
    await database?.drop();
    if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
  });

  it('prints one line with its URL on loopback and a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('migrates, seeds and answers; the units need a session', async () => {
    const health = HealthResponse.parse(await (await fetch(`${server.url}/health`)).json());
    expect(health.database).toBe('postgres');
    const res = await fetch(`${server.url}/api/v1/units`);
    expect(res.status).toBe(401);
    expect(ServerErrorBody.parse(await res.json()).error.code).toBe('UNAUTHENTICATED');
  });

  it('logs a card in for its listening origin (the default PUBLIC_ORIGIN) and lists her units', async () => {
    const card = await issuePersonCard(pki, { ...PEOPLE.anna, algorithm: 'rsa', withSignatureKey: false });
    const { nonce } = ChallengeResponse.parse(await (await post(`${server.url}/api/v1/auth/challenge`)).json());
    const login = await post(`${server.url}/api/v1/auth/login`, await loginToken(card, nonce, server.url), { 'x-workstation': 'WS-9' });
    expect(login.status).toBe(200);
    const { token } = LoginResponse.parse(await login.json());
    const units = UnitsResponse.parse(await (await fetch(`${server.url}/api/v1/units`, { headers: { authorization: `Bearer ${token}` } })).json());
    expect(units.units.map((u) => u.name)).toEqual(['Hemtjänst Majorna']);

    // A token signed for another origin is refused.
    const again = ChallengeResponse.parse(await (await post(`${server.url}/api/v1/auth/challenge`)).json());
    const other = await post(`${server.url}/api/v1/auth/login`, await loginToken(card, again.nonce, 'https://omsorg.test.example'));
    expect(ServerErrorBody.parse(await other.json()).error.code).toBe('SIGNATURE_INVALID');

    const db = await openPostgres({ connectionString: database.url, maxConnections: 1 });
    try {
      const { rows } = await db.query<{ action: string; error_code: string | null; workstation: string | null }>(
        'SELECT action, error_code, workstation FROM access_log ORDER BY access_log.id',
      );
      expect(rows).toEqual([
        { action: 'login', error_code: null, workstation: 'WS-9' },
        { action: 'login_failed', error_code: 'SIGNATURE_INVALID', workstation: null },
      ]);
      expect((await verifyChain(db)).ok).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('writes its logs as JSON lines on stderr, with card login enabled and no warning', () => {
    const lines = server.stderr().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(server.stderr()).toContain('card login enabled');
    expect(server.stderr()).not.toContain('inloggning avstängd');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('server/main.ts without trust anchors', () => {
  let database: TestDatabase;
  let server: Started | undefined;
  beforeAll(async () => {
    database = await createTestDatabase('server_main_nologin');
  });
  afterAll(async () => {
    await stop(server);
    await database?.drop();
  });

  it('starts, warns once that login is disabled, and answers the auth routes 503', async () => {
    server = await startServer({ DATABASE_URL: database.url, PORT: '0', HOST: '', TRUST_ANCHORS: '', REQUIRED_POLICIES: '', INTERMEDIATE_CAS: '' });
    const res = await post(`${server.url}/api/v1/auth/challenge`);
    expect(res.status).toBe(503);
    expect(ServerErrorBody.parse(await res.json()).error.code).toBe('SERVER_ERROR');
    expect((await fetch(`${server.url}/api/v1/units`)).status).toBe(401);
    const warnings = server.stderr().split('\n').filter((l) => l.includes('inloggning avstängd'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40 });
  });

  it('refuses to start with TRUST_ANCHORS but no REQUIRED_POLICIES, saying why', async () => {
    await expect(
      startServer({ DATABASE_URL: database.url, PORT: '0', TRUST_ANCHORS: '/nonexistent/root.pem', REQUIRED_POLICIES: '' }),
    ).rejects.toThrow(/REQUIRED_POLICIES must be set/);
  });
});
