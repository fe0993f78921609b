import { IsoDate } from '#contract';
import { Uuid } from '#contract';
import { AppFailure } from '#contract';

/**
 * The list cursor: the sort's key values (as text, exact) and the id of the last row of the page,
 * as base64url JSON. It comes back from the client, so every part is checked against the type it
 * is cast to in SQL before it reaches PostgreSQL: a forged part is a 400, never a failed cast.
 */
export type CursorCast = 'timestamptz' | 'date' | 'text';

export const encodeCursor = (sort: string, values: string[]): string =>
  Buffer.from(JSON.stringify([sort, ...values]), 'utf8').toString('base64url');

// PostgreSQL's timestamptz text (`2025-01-01 10:00:00.123+00`) as well as ISO with T/Z.
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?([+-](0\d|1[0-5])(:?[0-5]\d)?|Z)$/;

const valid: Record<CursorCast | 'uuid', (v: string) => boolean> = {
  date: (v) => IsoDate.safeParse(v).success,
  timestamptz: (v) => PG_TIMESTAMP.test(v) && IsoDate.safeParse(v.slice(0, 10)).success,
  text: (v) => v.length <= 500 && !v.includes('\u0000'),
  uuid: (v) => Uuid.safeParse(v).success,
};

/** The key values and the id, each valid for its cast; otherwise 400 VALIDATION. */
export function decodeCursor(cursor: string, sort: string, casts: readonly CursorCast[]): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === casts.length + 2 && parsed[0] === sort && parsed.every((v) => typeof v === 'string')) {
      const values = (parsed as string[]).slice(1);
      if ([...casts, 'uuid' as const].every((cast, i) => valid[cast](values[i]!))) return values;
    }
  } catch {
    // falls through
  }
  throw new AppFailure('VALIDATION', 'Ogiltig markör (cursor) för den här sorteringen.');
}
