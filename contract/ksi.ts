import { z } from 'zod';

/**
 * The KSI codes (Klassifikation av socialtjänstens insatser och aktiviteter, Socialstyrelsen) an
 * activity of an implementation plan may carry, with their Swedish titles: the plan editor offers
 * only these, and the server refuses any other code with a Swedish error (no free text:
 * "XYZ-nonsense" was printed in a plan's PDF).
 *
 * NOT THE OFFICIAL LIST. Socialstyrelsen publishes KSI (2022 version) as an Excel file; it could not
 * be fetched where this was written, so the list holds only the code the project's seeds, tests
 * and documentation use. A deployment replaces this table with the official codes (code → title)
 * of the activities its units perform; nothing else changes (docs/plans.md, "KSI codes").
 */
export interface KsiEntry {
  code: string;
  title: string;
}

export const KSI_CODES: readonly KsiEntry[] = [{ code: 'PMB.AA', title: 'Praktiskt stöd i att sköta sin personliga hygien' }];

const BY_CODE = new Map(KSI_CODES.map((k) => [k.code, k]));

/** The entry of a code, or undefined when it is not in the list. */
export const ksiEntry = (code: string): KsiEntry | undefined => BY_CODE.get(code);

/** "PMB.AA – Praktiskt stöd i att …"; a code outside the list (an old plan's) as it is. */
export const ksiLabel = (code: string): string => {
  const k = BY_CODE.get(code);
  return k ? `${k.code} – ${k.title}` : code;
};

/** A code from the KSI list. */
export const KsiListCode = z.string().refine((c) => BY_CODE.has(c), { message: 'KSI-koden finns inte i KSI-listan. Välj en kod ur listan (eller ingen).' });
