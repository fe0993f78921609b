import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Result } from '#contract';

const root = path.resolve(import.meta.dirname, '../..');

/** A workstation host in a child process (test/support/host-child.ts) that a test can `kill -9`. */
export interface HostProcess {
  readonly pid: number;
  dispatch(method: string, input?: unknown): Promise<Result<unknown>>;
  /** SIGKILL: no cleanup, no flush, nothing — as a power cut or a crash. */
  kill9(): Promise<void>;
  /** A clean stop (stdin closed: the workstation logs out and closes its store). */
  stop(): Promise<void>;
}

export async function startHostProcess(env: { SERVER_URL: string; DATA_DIR: string; CARD_FILE: string }): Promise<HostProcess> {
  // node --import tsx directly (not the tsx CLI, which would run the script in a grandchild we could not SIGKILL).
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/host-child.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pending = new Map<number, (r: Result<unknown>) => void>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      // Calls the dead process never answered: the caller was never told "saved".
      for (const r of pending.values()) r({ ok: false, error: { code: 'INTERNAL', message: 'the host process died' } });
      pending.clear();
      resolve();
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`host child exited before ready (${code ?? signal})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let msg: { ready?: boolean; error?: unknown; id?: number; result?: Result<unknown> };
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.ready === true) resolve();
      else if (msg.ready === false) reject(new Error(`host child could not log in: ${JSON.stringify(msg.error)}`));
      else if (msg.id !== undefined && msg.result) {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      }
    });
  });
  await ready;
  return {
    pid: child.pid!,
    dispatch(method, input = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, resolve);
        child.stdin!.write(`${JSON.stringify({ id, method, input })}\n`, (e) => e && reject(e));
      });
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
