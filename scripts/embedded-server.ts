import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Starts the municipal server as a child process (PGlite in a data folder unless DATABASE_URL is
 * set) and resolves with its URL once it prints its listening line.
 */
export async function startEmbeddedServer(opts: { root: string; dataDir: string; env?: NodeJS.ProcessEnv }): Promise<{ url: string; child: ChildProcess }> {
  const tsx = path.join(opts.root, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [path.join(opts.root, 'server', 'main.ts')], {
    cwd: opts.root,
    env: { ...process.env, DATA_DIR: opts.dataDir, SEED: '1', PORT: process.env.SERVER_PORT ?? '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Servern startade inte inom 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`Servern avslutades (kod ${code})`)));
    lines.on('line', (line) => {
      const m = /server listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      } else if (process.env.SERVER_LOG) {
        process.stdout.write(`[server] ${line}\n`);
      }
    });
  });
  return { url, child };
}
