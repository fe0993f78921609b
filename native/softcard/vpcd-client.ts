import { Socket, connect } from 'node:net';
import type { SoftCard } from './soft-card';

/**
 * The software card in pcscd's vpcd reader (vsmartcard): a TCP client to 127.0.0.1:port.
 * Frames are a 2-byte big-endian length + payload. A 1-byte payload is a control
 * (00 power off, 01 power on, 02 reset, 04 get ATR → answer the ATR); anything longer is a
 * command APDU, answered with the response APDU. Connected = card inserted; `close()` = removed.
 */
export const VPCD_DEFAULT_PORT = 35963;
const MAX_FRAME = 0xffff;

/**
 * 127.0.0.1 unless VPCD_HOST says otherwise. The test setup points it at a loopback address
 * with a `quickack` route: vpcd sends each frame's length and payload in two writes, and Nagle
 * on its side + delayed ACK on ours would cost ~40 ms per APDU.
 */
export const vpcdHost = (): string => process.env.VPCD_HOST || '127.0.0.1';

export interface VpcdCardOptions {
  host?: string;
  port?: number;
  /** How long to keep retrying the first connection (pcscd starting up). */
  connectTimeoutMs?: number;
}

export class VpcdCard {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly endedPromise: Promise<void>;
  private resolveEnded!: () => void;

  private constructor(
    readonly card: SoftCard,
    readonly port: number,
  ) {
    this.endedPromise = new Promise((r) => (this.resolveEnded = r));
  }

  /** Inserts the card into the vpcd reader listening on `port`. */
  static async insert(card: SoftCard, opts: VpcdCardOptions = {}): Promise<VpcdCard> {
    const v = new VpcdCard(card, opts.port ?? VPCD_DEFAULT_PORT);
    await v.open(opts.host ?? vpcdHost(), opts.connectTimeoutMs ?? 5000);
    return v;
  }

  /** Resolves when the connection ends (closed by us or by pcscd). */
  get ended(): Promise<void> {
    return this.endedPromise;
  }

  /** Removes the card: closes the socket at once (a command in progress is never answered). */
  close(): Promise<void> {
    this.closed = true;
    this.card.powerOff();
    const s = this.socket;
    if (!s || s.destroyed) return Promise.resolve();
    s.destroy();
    return this.endedPromise;
  }

  private async open(host: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ host, port: this.port });
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`vpcd: cannot connect to ${host}:${this.port} (${(e as Error).message}). Is pcscd running with the vpcd driver?`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const s = this.socket;
    s.setNoDelay(true);
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      this.card.powerOff();
      this.resolveEnded();
    });
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    while (this.buffer.length >= 2) {
      const len = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + len) break;
      const payload = new Uint8Array(this.buffer.subarray(2, 2 + len));
      this.buffer = this.buffer.subarray(2 + len);
      // Commands are answered strictly in order.
      this.chain = this.chain.then(() => this.handle(payload)).catch(() => undefined);
    }
  }

  private async handle(p: Uint8Array): Promise<void> {
    if (this.closed) return;
    if (p.length === 1) {
      switch (p[0]) {
        case 0x00:
          this.card.powerOff();
          return;
        case 0x01:
          this.card.powerOn();
          return;
        case 0x02:
          this.card.reset();
          return;
        case 0x04:
          this.send(this.card.atr);
          return;
        default:
          return;
      }
    }
    const res = await this.card.process(p);
    if (res && !this.closed) this.send(res);
  }

  private send(payload: Uint8Array): void {
    const s = this.socket;
    if (!s || s.destroyed || payload.length > MAX_FRAME) return;
    const frame = Buffer.alloc(2 + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    frame.set(payload, 2);
    s.write(frame);
  }
}
