import { z } from 'zod';

/**
 * Swedish personal identity number (personnummer), 12 digits YYYYMMDDNNNC, with a Luhn check
 * digit over the last 10. Coordination numbers (samordningsnummer) add 60 to the day.
 * Accepts `YYYYMMDD-NNNN` or `YYYYMMDDNNNN` and normalises to 12 digits.
 */
export function luhnValid(tenDigits: string): boolean {
  let sum = 0;
  for (let i = 0; i < tenDigits.length; i++) {
    let d = Number(tenDigits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

export function parsePersonnummer(input: string): string | null {
  const m = /^(\d{8})-?(\d{4})$/.exec(input.trim());
  if (!m) return null;
  const digits = `${m[1]}${m[2]}`;
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  let day = Number(digits.slice(6, 8));
  if (day > 60) day -= 60;
  if (year < 1850 || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return luhnValid(digits.slice(2)) ? digits : null;
}

export const Personnummer = z
  .string()
  .transform((s, ctx) => {
    const parsed = parsePersonnummer(s);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message: 'Ogiltigt personnummer' });
      return z.NEVER;
    }
    return parsed;
  });

const PERSONNUMMER_LIKE = /(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)/g;

/** Anything shaped like a personnummer replaced: for log lines (the server's, the workstation's log file). */
export const maskPersonalData = (text: string): string => text.replace(PERSONNUMMER_LIKE, '[personnummer]');

/** Display form: YYYYMMDD-NNNN (anything but 12 digits is shown as it is). */
export const formatPersonnummer = (twelve: string): string => (/^\d{12}$/.test(twelve) ? `${twelve.slice(0, 8)}-${twelve.slice(8)}` : twelve);

/**
 * What is wrong with a personnummer as typed, in Swedish, or null when it is valid: letters (a name
 * typed where a number goes), 10 digits (the century is missing), another number of digits, a date
 * that does not exist, a wrong check digit. For forms and search fields that must say exactly what
 * to fix instead of finding nothing.
 */
export function personnummerProblem(input: string): string | null {
  const typed = input.trim();
  if (/\p{L}/u.test(typed)) return 'Skriv personnumret med siffror: ÅÅÅÅMMDD-NNNN. Sökning på namn finns inte här.';
  if (!/^[\d\s+-]+$/.test(typed)) return 'Personnumret får bara innehålla siffror och ett bindestreck: ÅÅÅÅMMDD-NNNN.';
  const digits = typed.replace(/\D/g, '');
  if (digits.length === 10) return 'Personnumret har 10 siffror: skriv det med århundradet, 12 siffror (ÅÅÅÅMMDD-NNNN, till exempel 19121212-1212).';
  if (digits.length !== 12) return `Personnumret ska ha 12 siffror (ÅÅÅÅMMDD-NNNN); det du skrev har ${digits.length}.`;
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  let day = Number(digits.slice(6, 8));
  if (day > 60) day -= 60;
  if (year < 1850 || month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    return `Personnumret börjar inte med ett datum som finns (${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}).`;
  }
  if (!luhnValid(digits.slice(2))) return 'Kontrollsiffran (den sista siffran) stämmer inte: personnumret är felskrivet.';
  return null;
}
