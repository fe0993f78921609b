/**
 * Dates as typed by a Swedish user: ÅÅÅÅ-MM-DD (ISO 8601, what Swedes write), or eight digits that
 * are read as the same. Pure functions, so the rules are unit-tested without a DOM.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "20261224" → "2026-12-24"; surrounding spaces go; anything else is returned as typed. */
export function normaliseDate(typed: string): string {
  const t = typed.trim();
  const digits = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  return digits ? `${digits[1]}-${digits[2]}-${digits[3]}` : t;
}

/** A calendar date that exists, as a local Date at noon (no daylight-saving edge); else null. */
export function parseDate(value: string): Date | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d, 12);
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d ? date : null;
}

/** A Date (local calendar day) as ÅÅÅÅ-MM-DD. */
export const formatDate = (d: Date): string =>
  `${String(d.getFullYear()).padStart(4, '0')}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export type DateProblem =
  | { kind: 'required' }
  | { kind: 'format' }
  | { kind: 'noSuchDay'; value: string }
  | { kind: 'beforeMin'; min: string }
  | { kind: 'afterMax'; max: string };

/** What is wrong with a typed date, or null when it is fine (an empty optional field is fine). */
export function dateProblem(value: string, rules: { required?: boolean; min?: string | undefined; max?: string | undefined }): DateProblem | null {
  if (value === '') return rules.required ? { kind: 'required' } : null;
  if (!ISO.test(value)) return { kind: 'format' };
  if (!parseDate(value)) return { kind: 'noSuchDay', value };
  // ÅÅÅÅ-MM-DD strings compare as dates.
  if (rules.min && value < rules.min) return { kind: 'beforeMin', min: rules.min };
  if (rules.max && value > rules.max) return { kind: 'afterMax', max: rules.max };
  return null;
}
