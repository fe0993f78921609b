import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/**
 * The raw pcsclite addon (santigimeno/node-pcsclite), used without its JS wrapper because the
 * wrapper's defaults bite: exclusive connect, disconnect that powers the card down, no way to
 * know when the first reader enumeration is done. We call the addon's methods directly with
 * explicit share mode, protocol and disposition.
 */
export interface RawReader {
  name: string;
  get_status(cb: (err: Error | null | undefined, state: number, atr?: Buffer) => void): void;
  _connect(share: number, protocol: number, cb: (err: Error | null | undefined, protocol: number) => void): void;
  _disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  _transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null | undefined, data: Buffer) => void): void;
  close(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface RawContext {
  start(cb: (err: Error | null | undefined, readers: Buffer) => void): void;
  close(): void;
}

interface Addon {
  PCSCLite: new () => RawContext;
  CardReader: new (name: string) => RawReader;
}

let addon: Addon | undefined;
let loadError: Error | undefined;

export function loadAddon(): Addon {
  if (addon) return addon;
  if (loadError) throw loadError;
  try {
    const require = createRequire(import.meta.url);
    const a = require('pcsclite/build/Release/pcsclite.node') as Addon;
    // The addon emits '_end' through `this.emit`: give both classes EventEmitter's methods, as the wrapper does.
    for (const cls of [a.PCSCLite, a.CardReader]) {
      for (const k of Object.getOwnPropertyNames(EventEmitter.prototype)) {
        if (k === 'constructor' || k in cls.prototype) continue;
        (cls.prototype as Record<string, unknown>)[k] = (EventEmitter.prototype as unknown as Record<string, unknown>)[k];
      }
    }
    addon = a;
    return a;
  } catch (e) {
    loadError = e instanceof Error ? e : new Error(String(e));
    throw loadError;
  }
}

/**
 * Why PC/SC cannot be used on this machine, in one Swedish line for the console (`npm start`);
 * null when the addon loads. pcsclite is an optional dependency: on a machine without the PC/SC
 * development files its build fails, npm leaves it out (removes it) and the install goes on. The
 * way back is `npm install` once the files are there (`npm rebuild` finds no package to build).
 * `demoReader`: `npm start` with the embedded server, whose built-in demo reader works without PC/SC.
 */
export function pcscAddonProblem(demoReader = false): string | null {
  try {
    loadAddon();
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      return (
        'PC/SC är inte tillgängligt: kortläsarmodulen pcsclite byggdes inte vid npm install. ' +
        'Installera PC/SC och byggverktygen (Debian/Ubuntu: sudo apt-get install pcscd libpcsclite-dev build-essential python3) och kör npm install igen. ' +
        (demoReader ? 'Till dess finns den inbyggda demoläsaren på inloggningssidan.' : 'Utan kortläsare: starta med DEMO_CARD=<kortfil>.')
      );
    }
    return `PC/SC är inte tillgängligt: kortläsarmodulen pcsclite kan inte laddas (${(e as Error).message.split('\n')[0]}).`;
  }
}

/** PC/SC constants (pcsclite.h); the same values the addon exposes on CardReader.prototype. */
export const SCARD = {
  SHARE_EXCLUSIVE: 1,
  SHARE_SHARED: 2,
  PROTOCOL_T0: 1,
  PROTOCOL_T1: 2,
  LEAVE_CARD: 0,
  RESET_CARD: 1,
  UNPOWER_CARD: 2,
  STATE_UNKNOWN: 0x0004,
  STATE_UNAVAILABLE: 0x0008,
  STATE_EMPTY: 0x0010,
  STATE_PRESENT: 0x0020,
  STATE_MUTE: 0x0200,
} as const;

/** Reader names from the multi-string the addon returns ("a\0b\0\0"). */
export function parseReaderNames(buf: Buffer | undefined): string[] {
  if (!buf || buf.length === 0) return [];
  return buf
    .toString('utf8')
    .split('\u0000')
    .filter((s) => s.length > 0);
}
