/**
 * The PC/SC host process: owns the pcsclite addon (PcscReaders) so that the workstation's own
 * thread never calls into it (its `close()` joins a thread waiting on pcscd, with no time limit).
 * Started by ./launch.ts: in Electron as a utility process (`process.parentPort`), under plain
 * Node with child_process.fork (`process.send`). Bundled to dist/main/pcsc-host.cjs.
 */
import { PcscReaders } from '../pcsc-readers';
import type { HostMessage, HostRequest } from './protocol';
import { serveReaders, type ParentChannel } from './serve';

interface ParentPort {
  postMessage(m: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const channel: ParentChannel = parentPort
  ? { send: (m: HostMessage) => parentPort.postMessage(m), onMessage: (l) => parentPort.on('message', (e) => l(e.data as HostRequest)) }
  : { send: (m: HostMessage) => void process.send?.(m), onMessage: (l) => process.on('message', (m) => l(m as HostRequest)) };
// The workstation went away (child_process): nothing to serve.
process.on('disconnect', () => process.exit(0));

serveReaders(new PcscReaders(), channel, () => process.exit(0));
