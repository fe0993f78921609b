import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { HealthResponse, UnitsResponse } from '../../../contract/server-api';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

/** Starts `tsx server/main.ts` and resolves with the URL from its one stdout line. */
function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^server listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve({ child, url: m[1]!, stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

describe('npm run server (server/main.ts) against PostgreSQL', () => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    database = await createTestDatabase('server_main');
    server = await startServer({ DATABASE_URL: database.url, SEED: '1', PORT: '0', HOST: '' });
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGTERM');
    await database?.drop();
  });

  it('prints one line with its URL on loopback and a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('migrates, seeds and answers', async () => {
    const health = HealthResponse.parse(await (await fetch(`${server.url}/health`)).json());
    expect(health.database).toBe('postgres');
    const units = UnitsResponse.parse(await (await fetch(`${server.url}/api/v1/units`)).json());
    expect(units.units).toHaveLength(2);
  });

  it('writes its logs as JSON lines on stderr', () => {
    const lines = server.stderr().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
