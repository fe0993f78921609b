import type { AppError } from '#contract';
import type { CardEvent, ReaderInfo, WithCardOptions } from '../../readers';

/**
 * The messages between the workstation (`HostedReaders`, ./hosted-readers.ts) and the PC/SC host
 * process (./main.ts), plain JSON both ways (child_process IPC and Electron's utility process
 * port alike). APDUs travel as hex.
 */
export type HostRequest =
  | { id: number; op: 'ping' }
  | { id: number; op: 'list' }
  /** Connect to `reader` (share, disposition) for one operation; answered with its session number. */
  | { id: number; op: 'begin'; reader: string; opts: WithCardOptions }
  | { id: number; op: 'transmit'; session: number; apdu: string }
  /** The operation is over: disconnect (leave or reset), answered when done. */
  | { id: number; op: 'end'; session: number }
  /** Close PC/SC and exit. */
  | { id: number; op: 'close' };

export type HostReply =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: AppError };

export type HostMessage =
  | HostReply
  /** First of all: the host is running and answers pings from now on. */
  | { up: true }
  /** A card event, with the host's reader snapshot after it. */
  | { event: CardEvent; readers: ReaderInfo[] }
  /** Sent once at start, when the first enumeration is known (or PC/SC is found unavailable). */
  | { hello: true; readers: ReaderInfo[]; unavailable?: AppError };

export interface Begun {
  session: number;
  atrHex?: string;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
