import { AppFailure } from '#contract';
import { SW, isPinTries, swHex } from './apdu/status';

/**
 * PIN rules, in one place (after Web eID's verifyPin):
 * - the format is checked before the card sees the PIN (digits only, min/max from the AODF);
 * - the retry counter is read before asking and shown (63Cx = x tries left);
 * - a wrong PIN is PIN_WRONG with {triesLeft}; 63C0 or 6983 is PIN_BLOCKED with the PUK explained;
 * - a PIN is never retried automatically: one VERIFY per user action;
 * - PIN buffers are Uint8Array and zero-filled after use (strings cannot be wiped).
 */
export interface PinLengths {
  minLength: number;
  maxLength: number;
}

export interface PinStatus {
  /** Tries left before the PIN is blocked; undefined when the card does not say. */
  triesLeft?: number;
  blocked: boolean;
  /** The card reports the PIN as already verified (9000 on an empty VERIFY). */
  verified: boolean;
}

/** Absolute bounds for any card; the card's AODF narrows them. */
export const PIN_BOUNDS: PinLengths = { minLength: 4, maxLength: 12 };

export const PIN_BLOCKED_MESSAGE =
  'PIN-koden är spärrad efter för många felaktiga försök. Kortet kan låsas upp med PUK-koden ' +
  'som du fick med kortet. Kontakta din IT-kontaktperson om du inte har PUK-koden.';

export const pinBlocked = (): AppFailure => new AppFailure('PIN_BLOCKED', PIN_BLOCKED_MESSAGE, { triesLeft: 0 });

/** Throws PIN_INVALID_FORMAT unless the PIN is ASCII digits within the lengths. Does not wipe. */
export function checkPinFormat(pin: Uint8Array, lengths: PinLengths = PIN_BOUNDS): void {
  const min = Math.max(lengths.minLength, PIN_BOUNDS.minLength);
  const max = Math.min(lengths.maxLength, PIN_BOUNDS.maxLength);
  const digitsOnly = pin.every((b) => b >= 0x30 && b <= 0x39);
  if (!digitsOnly || pin.length < min || pin.length > max)
    throw new AppFailure('PIN_INVALID_FORMAT', `PIN-koden ska vara ${min}–${max} siffror.`, { minLength: min, maxLength: max });
}

/** The PIN as the card wants it: padded to storedLength with padChar when the AODF says so. New buffer; wipe it. */
export function encodePin(pin: Uint8Array, info: { storedLength: number; padChar?: number; needsPadding: boolean }): Uint8Array {
  if (!info.needsPadding || info.padChar === undefined) return pin.slice();
  if (pin.length > info.storedLength) throw new AppFailure('PIN_INVALID_FORMAT', 'PIN-koden är för lång.', { maxLength: info.storedLength });
  const out = new Uint8Array(info.storedLength).fill(info.padChar);
  out.set(pin, 0);
  return out;
}

export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

/** Interprets the answer to VERIFY without data (the retry counter query). */
export function pinStatusFromSw(sw: number): PinStatus {
  if (sw === SW.OK) return { verified: true, blocked: false };
  if (sw === SW.BLOCKED || sw === SW.REF_DATA_NOT_USABLE || sw === SW.PIN_TRIES_MASK) return { triesLeft: 0, blocked: true, verified: false };
  if (isPinTries(sw)) return { triesLeft: sw & 0x0f, blocked: false, verified: false };
  throw new AppFailure('CARD_ERROR', `Kortet svarade ${swHex(sw)} på frågan om PIN-försök.`, { sw: swHex(sw) });
}

/** Interprets the answer to VERIFY with a PIN: returns on success, throws PIN_WRONG or PIN_BLOCKED. */
export function checkVerifyResult(sw: number): void {
  if (sw === SW.OK) return;
  if (sw === SW.BLOCKED || sw === SW.REF_DATA_NOT_USABLE || sw === SW.PIN_TRIES_MASK) throw pinBlocked();
  if (isPinTries(sw)) {
    const triesLeft = sw & 0x0f;
    throw new AppFailure('PIN_WRONG', `Fel PIN-kod. ${triesLeft} försök kvar innan kortet spärras.`, { triesLeft });
  }
  throw new AppFailure('CARD_ERROR', `Kortet svarade ${swHex(sw)} på PIN-kontrollen.`, { sw: swHex(sw) });
}
