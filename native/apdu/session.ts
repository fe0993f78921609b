import { AppFailure } from '#contract';
import { MAX_SHORT_LC, MAX_SHORT_LE, encodeApdu, type Apdu } from './command';
import { ALLOW, allowed, swHex, type SwRule } from './status';
import { MAX_RESPONSE_APDU, type CardTransport } from './transport';

export interface Response {
  data: Uint8Array;
  sw: number;
}

export interface SessionOptions {
  /** Upper bound of the response data of one command including GET RESPONSE chains. */
  maxResponseBytes?: number;
  /** Whether the card announced extended length (ATR / EF.ATR, ./atr.ts); undefined = not (yet) known, used as false. */
  extendedLength?: boolean;
  /** What earlier sessions with a card of the same ATR learnt (kept by the CardService); filled in by the profile. */
  hints?: CardHints;
}

/**
 * What a profile learnt about a card with this ATR, so the next operation need not ask again: the
 * PKCS#15 application found through EF.DIR. Only a shortcut: a hint that does not work (another
 * card, same ATR) is found again. Extended length is not kept here — another card with the same
 * ATR may not take it; EF.ATR is read again by the operation that may need it.
 */
export interface CardHints {
  application?: { aid?: Uint8Array; path?: Uint8Array };
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
  /**
   * Extended-length APDUs only when the card announced them (ATR historical bytes or EF.ATR card
   * capabilities); otherwise — also while unknown — a long Le is sent as short Le 00 and the rest
   * fetched by GET RESPONSE (61xx), and data over 255 bytes goes by command chaining (CLA b5).
   */
  extendedLength: boolean | undefined;
  readonly hints: CardHints;

  constructor(
    private readonly transport: CardTransport,
    opts: SessionOptions = {},
  ) {
    this.maxResponse = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
    this.hints = opts.hints ?? {};
    this.extendedLength = opts.extendedLength;
  }

  async send(command: Apdu, allow: readonly SwRule[] = ALLOW.plain): Promise<Response> {
    let cmd = command;
    if (this.extendedLength !== true) {
      if (cmd.le !== undefined && cmd.le > MAX_SHORT_LE) cmd = { ...cmd, le: MAX_SHORT_LE };
      if (cmd.data && cmd.data.length > MAX_SHORT_LC) cmd = await this.chain(cmd);
    }
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

  /**
   * Command chaining (ISO/IEC 7816-4 §5.1.1.1): every part but the last with CLA b5 set and at
   * most 255 bytes, each answered 9000; returns the last part to send as the command.
   */
  private async chain(cmd: Apdu): Promise<Apdu> {
    const data = cmd.data!;
    let o = 0;
    for (; data.length - o > MAX_SHORT_LC; o += MAX_SHORT_LC) {
      const part = await this.exchange({ cla: cmd.cla | 0x10, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: data.subarray(o, o + MAX_SHORT_LC) });
      if (part.sw !== 0x9000) throw this.error(cmd, part.sw, 'command chaining refused');
    }
    return { ...cmd, data: data.subarray(o) };
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
