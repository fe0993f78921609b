import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Yubico OTP (the 44 characters a YubiKey types): 12 modhex characters of public id, then 32 of
 * the AES-128-ECB encrypted 16-byte token — private id (6), use counter (2, LE), timestamp (3,
 * LE), session counter (1), random (2), CRC-16 (2, LE; over all 16 bytes the ISO 13239 residue is
 * 0xf0b8). Verified locally with the key's AES secret: decrypt, CRC, private id, and the counters
 * strictly after the last accepted OTP's, so a replayed or older OTP is refused.
 */
export const MODHEX = 'cbdefghijklnrtuv';
export const OTP_PATTERN = /^[cbdefghijklnrtuv]{44}$/;

export const modhexToBytes = (s: string): Buffer => {
  const hex = [...s].map((c) => MODHEX.indexOf(c).toString(16)).join('');
  return Buffer.from(hex, 'hex');
};
export const bytesToModhex = (b: Buffer): string => [...b.toString('hex')].map((h) => MODHEX[parseInt(h, 16)]).join('');

export function crc16(data: Buffer): number {
  let crc = 0xffff;
  for (const byte of data) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

export interface OtpToken {
  privateId: string;
  counter: number;
  session: number;
  timestamp: number;
}

/** Splits an OTP into its public id and the decrypted token; null when it is no OTP or its CRC fails (wrong key). */
export function decryptOtp(otp: string, aesKeyHex: string): { publicId: string; token: OtpToken } | null {
  if (!OTP_PATTERN.test(otp) || !/^[0-9a-f]{32}$/.test(aesKeyHex)) return null;
  const decipher = createDecipheriv('aes-128-ecb', Buffer.from(aesKeyHex, 'hex'), null).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(modhexToBytes(otp.slice(12))), decipher.final()]);
  if (crc16(plain) !== 0xf0b8) return null;
  return {
    publicId: otp.slice(0, 12),
    token: {
      privateId: plain.subarray(0, 6).toString('hex'),
      counter: plain.readUInt16LE(6),
      timestamp: plain[8]! | (plain[9]! << 8) | (plain[10]! << 16),
      session: plain[11]!,
    },
  };
}

export interface LocalKey {
  publicId: string;
  aesKey: string;
  privateId: string;
  lastCounter: number;
  lastSession: number;
}

export type LocalVerdict = { ok: true; counter: number; session: number } | { ok: false; reason: 'BAD_OTP' | 'WRONG_KEY' | 'REPLAYED' };

/** The local check of `otp` against an enrolled key (the caller stores the new counters when ok). */
export function verifyLocally(otp: string, key: LocalKey): LocalVerdict {
  if (!OTP_PATTERN.test(otp) || otp.slice(0, 12) !== key.publicId) return { ok: false, reason: 'BAD_OTP' };
  const d = decryptOtp(otp, key.aesKey);
  if (!d) return { ok: false, reason: 'WRONG_KEY' };
  const a = Buffer.from(d.token.privateId, 'hex');
  const b = Buffer.from(key.privateId, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'WRONG_KEY' };
  const { counter, session } = d.token;
  const newer = counter > key.lastCounter || (counter === key.lastCounter && session > key.lastSession);
  if (!newer) return { ok: false, reason: 'REPLAYED' };
  return { ok: true, counter, session };
}

/**
 * Makes an OTP as a YubiKey would (tests, demo): `counter` is the non-volatile use counter,
 * `session` the counter within one power-up.
 */
export function makeOtp(key: { publicId: string; aesKey: string; privateId: string }, counter: number, session: number, timestamp = 0x123456): string {
  const plain = Buffer.alloc(16);
  Buffer.from(key.privateId, 'hex').copy(plain, 0);
  plain.writeUInt16LE(counter & 0xffff, 6);
  plain[8] = timestamp & 0xff;
  plain[9] = (timestamp >> 8) & 0xff;
  plain[10] = (timestamp >> 16) & 0xff;
  plain[11] = session & 0xff;
  randomBytes(2).copy(plain, 12);
  plain.writeUInt16LE(~crc16(plain.subarray(0, 14)) & 0xffff, 14);
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(key.aesKey, 'hex'), null).setAutoPadding(false);
  return key.publicId + bytesToModhex(Buffer.concat([cipher.update(plain), cipher.final()]));
}

/** A new key's identity and secret, as the YubiKey personalisation tool writes them (demo, tests). */
export const newYubikeySecret = () => ({
  publicId: bytesToModhex(Buffer.concat([Buffer.from([0xcc]), randomBytes(5)])),
  aesKey: randomBytes(16).toString('hex'),
  privateId: randomBytes(6).toString('hex'),
});
