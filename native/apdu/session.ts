import { AppFailure } from '#contract';
import { encodeApdu, type Apdu } from './command';
import { ALLOW, allowed, swHex, type SwRule } from './status';
import { MAX_RESPONSE_APDU, type CardTransport } from './transport';

export interface Response {
  data: Uint8Array;
  sw: number;
}

export interface SessionOptions {
  /** Upper bound of the response data of one command including GET RESPONSE chains. */
  maxResponseBytes?: number;
}

const INS_GET_RESPONSE = 0xc0;
const DEFAULT_MAX_RESPONSE = 8 * 1024;

const insName: Record<number, string> = {
  0xa4: 'SELECT',
  0xb0: 'READ BINARY',
  0x20: 'VERIFY',
  0x2c: 'RESET RETRY COUNTER',
  0x22: 'MSE SET',
  0x2a: 'PSO',
  0x88: 'INTERNAL AUTHENTICATE',
  0xc0: 'GET RESPONSE',
};

/**
 * One APDU exchange at a time over a CardTransport, with T=0 behaviour handled here:
 * 61xx → GET RESPONSE (looped, total bounded), 6Cxx → resend once with Le = xx. The status word
 * must be in the caller's allow-list; anything else is CARD_ERROR with the status word in details.
 */
export class ApduSession {
  private readonly maxResponse: number;
  /**
   * The largest READ BINARY answer to ask for: 256 until the card shows it gives less (capped
   * answers with 9000, or 6Cxx); kept for the session so later reads ask for what the card gives.
   */
  readChunk = 256;

  constructor(
    private readonly transport: CardTransport,
    opts: SessionOptions = {},
  ) {
    this.maxResponse = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
  }

  async send(cmd: Apdu, allow: readonly SwRule[] = ALLOW.plain): Promise<Response> {
    let res = await this.exchange(cmd);
    if (res.sw >> 8 === 0x6c) {
      const le = res.sw & 0xff || 256;
      res = await this.exchange({ ...cmd, le });
      if (res.sw >> 8 === 0x6c) throw this.error(cmd, res.sw, 'card asked for a different Le twice');
    }
    const parts: Uint8Array[] = [res.data];
    let total = res.data.length;
    // Each GET RESPONSE returns at least one byte or ends the loop; the total is bounded.
    while (res.sw >> 8 === 0x61) {
      const le = res.sw & 0xff || 256;
      if (total + le > this.maxResponse) throw this.error(cmd, res.sw, `response longer than ${this.maxResponse} bytes`);
      res = await this.exchange({ cla: cmd.cla & 0x03, ins: INS_GET_RESPONSE, p1: 0, p2: 0, le });
      if (res.data.length > le) throw this.error(cmd, res.sw, 'GET RESPONSE returned more than asked');
      if (res.data.length === 0 && res.sw >> 8 === 0x61) throw this.error(cmd, res.sw, 'GET RESPONSE returned no data');
      parts.push(res.data);
      total += res.data.length;
    }
    if (!allowed(res.sw, allow)) throw this.error(cmd, res.sw);
    const data = parts.length === 1 ? parts[0]! : concat(parts, total);
    return { data, sw: res.sw };
  }

  private async exchange(cmd: Apdu): Promise<Response> {
    const raw = await this.transport.transmit(encodeApdu(cmd));
    if (raw.length < 2) throw new AppFailure('CARD_ERROR', 'Kortet svarade med för få byte.', { ins: insName[cmd.ins] ?? cmd.ins, length: raw.length });
    if (raw.length > MAX_RESPONSE_APDU || raw.length - 2 > this.maxResponse)
      throw new AppFailure('CARD_ERROR', 'Kortets svar var för långt.', { ins: insName[cmd.ins] ?? cmd.ins, length: raw.length });
    if (cmd.le !== undefined && raw.length - 2 > cmd.le)
      throw new AppFailure('CARD_ERROR', 'Kortet svarade med fler byte än begärt.', { ins: insName[cmd.ins] ?? cmd.ins, length: raw.length - 2, le: cmd.le });
    const sw = (raw[raw.length - 2]! << 8) | raw[raw.length - 1]!;
    return { data: raw.slice(0, raw.length - 2), sw };
  }

  private error(cmd: Apdu, sw: number, why?: string): AppFailure {
    const command = insName[cmd.ins] ?? `INS ${cmd.ins.toString(16)}`;
    return new AppFailure('CARD_ERROR', `Kortet svarade ${swHex(sw)} på ${command}${why ? `: ${why}` : ''}.`, { sw: swHex(sw), command });
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
