import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { HostMessage, HostRequest } from './protocol';

/** A started PC/SC host process, whichever way it was started. */
export interface HostProcess {
  readonly pid: number | undefined;
  send(m: HostRequest): void;
  onMessage(listener: (m: HostMessage) => void): void;
  /** Once, when the process has ended (or could not start). */
  onExit(listener: () => void): void;
  /** SIGKILL (also a stopped process). */
  kill(): void;
}

/** From source: the host's .mjs bootstrap (registers tsx, then imports ./main.ts). The app passes its bundle instead. */
export const sourceHostEntry = (): string => fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));

interface UtilityProcess {
  pid: number | undefined;
  postMessage(m: unknown): void;
  on(event: 'message', l: (m: unknown) => void): void;
  on(event: 'exit', l: (code: number) => void): void;
  on(event: 'spawn', l: () => void): void;
  kill(): boolean;
}
type UtilityFork = (modulePath: string, args?: string[], options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' }) => UtilityProcess;

/**
 * The one place that chooses how the host starts. In Electron's main process: `utilityProcess.fork`,
 * which needs no ELECTRON_RUN_AS_NODE (that fuse is off in the packaged app, electron-builder.yml).
 * Under plain Node (tests, `npm start`, benches, the packaged main bundle run with the fake
 * `electron` module): `child_process.fork`, with JSON IPC.
 */
export function launchHost(entry: string): HostProcess {
  const inElectronMain = Boolean(process.versions.electron) && (process as { type?: string }).type === 'browser';
  if (inElectronMain) {
    const { utilityProcess } = createRequire(import.meta.url)('electron') as { utilityProcess: { fork: UtilityFork } };
    const child = utilityProcess.fork(entry, [], { serviceName: 'Omsorgsportalen PC/SC', stdio: 'inherit' });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', (m) => l(m as HostMessage)),
      onExit: (l) => child.on('exit', () => l()),
      // child.kill() is SIGTERM on POSIX, which a stopped process does not act on: SIGKILL there too.
      kill: () => {
        const pid = child.pid;
        child.kill();
        if (pid !== undefined && process.platform !== 'win32') {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      },
    };
  }
  const child = fork(entry, [], { execArgv: [], serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let exited = false;
  const exitListeners: (() => void)[] = [];
  const ended = (): void => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l();
  };
  child.once('exit', ended);
  child.on('error', () => {
    // A failed spawn emits 'error' without 'exit' (no pid); a failed send or kill of a live child is not an end.
    if (child.pid === undefined) ended();
  });
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m, (e) => void e);
    },
    onMessage: (l) => child.on('message', (m) => l(m as HostMessage)),
    onExit: (l) => exitListeners.push(l),
    kill: () => void child.kill('SIGKILL'),
  };
}
