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

/** Display form: YYYYMMDD-NNNN (anything but 12 digits is shown as it is). */
export const formatPersonnummer = (twelve: string): string => (/^\d{12}$/.test(twelve) ? `${twelve.slice(0, 8)}-${twelve.slice(8)}` : twelve);
