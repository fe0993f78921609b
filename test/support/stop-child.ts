import { execFile, type ChildProcess } from 'node:child_process';

export interface StopChildOptions {
  /** How long SIGTERM may take before SIGKILL. */
  graceMs?: number;
  /** The child was spawned `detached` (a process group of its own): signal the whole group, its own children too. */
  group?: boolean;
  /** Named in the note printed when it had to be killed. */
  name?: string;
}

/** Whether a process of that pid is still there (signal 0). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const exitedAlready = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

function signal(child: ChildProcess, sig: NodeJS.Signals, group: boolean): void {
  try {
    if (group && child.pid) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    // already gone
  }
}

/** Where every thread of a process is (gdb, bounded); '' when gdb is not there or cannot attach. */
export function threadStacks(pid: number): Promise<string> {
  return new Promise((resolve) => {
    execFile('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt 8'], { timeout: 30_000, maxBuffer: 4 << 20 }, (_e, stdout) =>
      resolve(
        String(stdout ?? '')
          .split('\n')
          .filter((l) => /^(Thread |#)/.test(l))
          .join('\n'),
      ),
    );
  });
}

/**
 * Stops a child process and waits for its exit, bounded: SIGTERM, then SIGKILL after `graceMs`, so a
 * test's teardown never hangs on a child that cannot stop (a main thread blocked in native code,
 * such as pcsclite's `CardReader.close()` joining its status thread, docs/smart-card.md). Before the
 * SIGKILL it prints where the child's threads were (gdb), so such a hang leaves its evidence.
 * Resolves true when SIGTERM was enough.
 */
export async function stopChild(child: ChildProcess, opts: StopChildOptions = {}): Promise<boolean> {
  const { graceMs = 15_000, group = false, name = `pid ${child.pid}` } = opts;
  if (exitedAlready(child)) {
    if (group) signal(child, 'SIGKILL', true); // what it left behind in its group
    return true;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal(child, 'SIGTERM', group);
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
  clearTimeout(timer);
  if (!inTime && child.pid) {
    const stacks = await threadStacks(child.pid);
    console.error(`${name} did not stop within ${graceMs} ms of SIGTERM; killed. Its threads:\n${stacks || '(gdb not available)'}`);
  }
  // Whatever remains of the group goes too (the embedded server of `npm start`, say).
  signal(child, 'SIGKILL', group);
  await exited;
  return inTime;
}
