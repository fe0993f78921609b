import { AppFailure } from '#contract';
import { derHeaderLength } from '../der/reader';
import { parseFcp } from './fcp';
import { ApduSession } from './session';
import { ALLOW, SW, swHex } from './status';

/** Certificates and directory files are small; nothing on a card we read is larger. */
export const MAX_FILE_BYTES = 16 * 1024;
/** READ BINARY with a short offset addresses 15 bits. */
const MAX_SHORT_OFFSET = 0x7fff;
const CHUNK = 256;

/**
 * SELECT by path as ISO 7816-4 addresses it: `3F00 …` from the MF (P1=08), one FID under the
 * current DF (P1=02), a longer path from the current DF (P1=09). Asks for the FCP (P2=04)
 * to learn the file size. Returns the size when the card tells it.
 */
export async function selectPath(session: ApduSession, path: Uint8Array): Promise<{ size?: number }> {
  if (path.length < 2 || path.length % 2 !== 0 || path.length > 16) throw new AppFailure('CARD_ERROR', 'Ogiltig filsökväg på kortet.', { path: Array.from(path) });
  let p1: number;
  let data: Uint8Array;
  if (path[0] === 0x3f && path[1] === 0x00) {
    if (path.length === 2) return selectFid(session, path, 0x00);
    p1 = 0x08;
    data = path.subarray(2);
  } else if (path.length === 2) {
    p1 = 0x02;
    data = path;
  } else {
    p1 = 0x09;
    data = path;
  }
  return selectFid(session, data, p1);
}

async function selectFid(session: ApduSession, data: Uint8Array, p1: number): Promise<{ size?: number }> {
  const res = await session.send({ cla: 0, ins: 0xa4, p1, p2: 0x04, data, le: 256 }, ALLOW.select);
  if (res.sw === SW.FILE_NOT_FOUND) throw new AppFailure('CARD_ERROR', 'En fil saknas på kortet.', { sw: '6A82', path: Array.from(data) });
  return parseFcp(res.data);
}

/**
 * READ BINARY of the selected EF in chunks with offsets (ISO/IEC 7816-4 §11.3.3). A card may
 * answer fewer bytes than Le with 9000 — many cap one answer at 0x80, 0xDF, 0xE7 or 0xFF bytes —
 * so a short answer is never taken as the end: the read goes on from the new offset until the
 * size is reached (the FCP size, or the end of the first DER object when `der` is set). Only 6282
 * (end of file before Le bytes), 6B00 (offset past the end) or an empty answer end it early, and
 * only when the size is not known; with a known size they are errors. The largest answer seen is
 * remembered on the session, so a capped card is asked for exactly what it gives (no 6Cxx round
 * trip per chunk on T=0 cards). Never trusts the card's lengths: a chunk longer than asked is an error.
 */
export async function readBinary(session: ApduSession, opts: { size?: number; max?: number; der?: boolean } = {}): Promise<Uint8Array> {
  const max = Math.min(opts.max ?? MAX_FILE_BYTES, MAX_SHORT_OFFSET + 1);
  if (opts.size !== undefined && opts.size > max && !opts.der)
    throw new AppFailure('CARD_ERROR', 'En fil på kortet är större än väntat.', { size: opts.size, max });
  let limit = Math.min(opts.size ?? max, max);
  let known = opts.size !== undefined;
  const buf = new Uint8Array(limit);
  let offset = 0;
  while (offset < limit) {
    const le = Math.min(session.readChunk, known ? limit - offset : CHUNK);
    const res = await session.send({ cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le }, ALLOW.readBinary);
    const ended = res.sw === SW.WRONG_P1P2 || res.data.length === 0;
    if (ended && offset === 0) throw new AppFailure('CARD_ERROR', 'Kortet vägrade läsa filen.', { sw: swHex(res.sw) });
    if (ended) break;
    const n = Math.min(res.data.length, limit - offset);
    buf.set(res.data.subarray(0, n), offset);
    offset += n;
    // Inside a file of known size a short 9000 answer is the card's cap; past the size it may be the tail.
    if (known && res.sw === SW.OK && res.data.length < le) session.readChunk = res.data.length;
    if (opts.der && offset === n) {
      const total = derHeaderLength(buf.subarray(0, offset));
      if (total > max) throw new AppFailure('CARD_ERROR', 'Ett objekt på kortet är större än väntat.', { length: total, max });
      if (total > limit) throw new AppFailure('CARD_ERROR', 'Ett objekt på kortet är längre än filen.', { length: total, size: limit });
      limit = total;
      known = true;
    }
    if (res.sw === SW.END_OF_FILE) break;
  }
  if (opts.der && offset < limit) throw new AppFailure('CARD_ERROR', 'Objektet på kortet tog slut för tidigt.', { read: offset, length: limit });
  if (opts.size !== undefined && !opts.der && offset < Math.min(opts.size, limit))
    throw new AppFailure('CARD_ERROR', 'Filen på kortet tog slut före sin angivna storlek.', { read: offset, size: opts.size });
  return buf.slice(0, offset);
}
