import { z } from 'zod';

/**
 * Value types shared by every contract, bounded to what PostgreSQL stores and the domain means:
 * a date PostgreSQL refuses (year 0000) or no care record can mean (1850) is a VALIDATION error
 * here, on both sides, instead of a 500 from the database or a mutation that can never be pushed.
 */

/** Years a date of care may fall in (event dates, decisions, assignment periods). */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;

const yearOf = (iso: string) => Number(iso.slice(0, 4));
const inYears = (iso: string) => yearOf(iso) >= MIN_YEAR && yearOf(iso) <= MAX_YEAR;
const YEAR_MESSAGE = `Datumet måste ligga mellan år ${MIN_YEAR} och ${MAX_YEAR}.`;

/** YYYY-MM-DD, a real day, year 1900–2199. */
export const IsoDate = z.iso.date().refine(inYears, { message: YEAR_MESSAGE });
/** An ISO timestamp with offset, year 1900–2199. */
export const IsoDateTime = z.iso.datetime({ offset: true }).refine(inYears, { message: YEAR_MESSAGE });

/**
 * No NUL and no lone UTF-16 surrogate: PostgreSQL stores neither (text refuses NUL, jsonb refuses
 * an unpaired surrogate), so either would be a 500 at the database instead of a VALIDATION here.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NUL_MESSAGE = 'Texten innehåller ett otillåtet tecken (NUL).';
const SURROGATE_MESSAGE = 'Texten innehåller ett ofullständigt Unicode-tecken.';
const noNul = (t: string) => !t.includes('\u0000');
const noLoneSurrogate = (t: string) => !LONE_SURROGATE.test(t);

/**
 * Text a user writes (journal entries, day notes, reasons, messages): not blank, at most `max`
 * characters, and without the NUL character, which PostgreSQL cannot store.
 */
export const WrittenText = (max: number) =>
  z.string().max(max).refine(noNul, { message: NUL_MESSAGE }).refine(noLoneSurrogate, { message: SURROGATE_MESSAGE }).refine((t) => t.trim().length > 0, { message: 'Texten får inte vara tom.' });

/** Trimmed text that may be empty (free text fields), without NUL. */
export const OptionalText = (max: number) => z.string().max(max).refine(noNul, { message: NUL_MESSAGE }).refine(noLoneSurrogate, { message: SURROGATE_MESSAGE });

/** A short label or name typed by a person (references, service names): trimmed, not empty, without NUL. */
export const Label = (max: number) => z.string().trim().min(1).max(max).refine(noNul, { message: NUL_MESSAGE }).refine(noLoneSurrogate, { message: SURROGATE_MESSAGE });
