import { AppFailure, type ErrorCode } from '#contract';

/**
 * PC/SC return codes (pcsclite.h / winerror.h) → the codes a user can act on. The addon reports
 * errors as "SCardX error: text(0x8010xxxx)"; we read the number.
 */
const CODES: Record<number, [ErrorCode, string]> = {
  0x8010001d: ['PCSC_UNAVAILABLE', 'Kortläsartjänsten (PC/SC) körs inte.'],
  0x8010001e: ['PCSC_UNAVAILABLE', 'Kortläsartjänsten (PC/SC) har stoppats.'],
  0x8010002e: ['NO_READER', 'Ingen kortläsare är ansluten.'],
  0x80100009: ['NO_READER', 'Kortläsaren finns inte.'],
  0x80100017: ['NO_READER', 'Kortläsaren är inte tillgänglig.'],
  0x8010000c: ['NO_CARD', 'Inget kort i läsaren.'],
  0x80100069: ['CARD_REMOVED', 'Kortet togs ut.'],
  0x80100068: ['CARD_RESET', 'Kortet återställdes av ett annat program.'],
  0x8010000b: ['SHARING_VIOLATION', 'Kortet används av ett annat program.'],
  0x80100066: ['CARD_ERROR', 'Kortet svarar inte.'],
  0x80100067: ['CARD_ERROR', 'Kortet har ingen ström.'],
  0x80100065: ['CARD_ERROR', 'Kortet stöds inte.'],
  0x8010000f: ['CARD_ERROR', 'Kortet talar ett annat protokoll.'],
  0x80100016: ['CARD_ERROR', 'Kommunikationen med kortet avbröts.'],
  0x80100003: ['CARD_ERROR', 'Förbindelsen med kortet är ogiltig.'],
};

export const PCSC_UNAVAILABLE_MESSAGE =
  'Kortläsartjänsten (PC/SC) körs inte. Starta tjänsten (Windows: "Smartkort"; Linux: pcscd) och försök igen.';

export function pcscCode(e: unknown): number | undefined {
  const m = /\(0x([0-9a-f]{8})\)/i.exec(e instanceof Error ? e.message : String(e));
  return m ? parseInt(m[1]!, 16) : undefined;
}

export function mapPcscError(e: unknown, op: string): AppFailure {
  if (e instanceof AppFailure) return e;
  const code = pcscCode(e);
  const known = code === undefined ? undefined : CODES[code];
  const details = { op, pcsc: code === undefined ? 'unknown' : `0x${code.toString(16).toUpperCase()}` };
  if (!known) return new AppFailure('CARD_ERROR', `Kortläsarfel (${op}).`, details);
  const [c, message] = known;
  return new AppFailure(c, c === 'PCSC_UNAVAILABLE' ? PCSC_UNAVAILABLE_MESSAGE : message, details);
}

export const unavailable = (cause?: unknown): AppFailure =>
  new AppFailure('PCSC_UNAVAILABLE', PCSC_UNAVAILABLE_MESSAGE, cause === undefined ? undefined : { pcsc: pcscCode(cause)?.toString(16) ?? 'unknown' });
