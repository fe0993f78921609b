import { z } from 'zod';
import { AppFailure } from './result';

/**
 * KSI (Klassifikation av socialtjänstens insatser och aktiviteter, Socialstyrelsen): the codes an
 * activity of an implementation plan may carry, with their Swedish titles (docs/plans.md, "KSI
 * codes"). The list is the organisation's configuration, not the program's: the server reads the
 * official list from KSI_LIST_FILE (Socialstyrelsen's Excel file saved as CSV by IT;
 * `parseKsiCsv`), hands it to workstations (`ksiRoutes.list`), and refuses a saved draft whose code
 * is not in it; the workstation keeps the last copy it got, so the editor picks from it offline.
 *
 * A real KSI code is three space-separated groups — inriktning, agerandetyp, metod — e.g.
 * "SMB RB ZZ". The form of the project's first sample ("PMB.AA") is still accepted, so plans saved
 * with it still validate.
 */
export interface KsiEntry {
  code: string;
  title: string;
}

/** Real KSI: 2–4 groups of capitals/digits, one space between. */
const KSI_GROUPS = /^[A-ZÅÄÖ0-9]{1,8}(?: [A-ZÅÄÖ0-9]{1,8}){1,3}$/;
/** The older sample form: capitals, digits, dots and dashes ("PMB.AA"). */
const KSI_DOTTED = /^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9.-]{1,19}$/;
export const isKsiCodeForm = (code: string): boolean => code.length <= 20 && (KSI_GROUPS.test(code) || KSI_DOTTED.test(code));

/** A KSI code's form, e.g. "SMB RB ZZ" (inriktning, agerandetyp, metod); the list decides whether it exists. */
export const KsiCode = z.string().refine(isKsiCodeForm, { message: 'KSI-koden ska vara tre grupper av versaler med mellanslag emellan (t.ex. SMB RB ZZ).' });

/**
 * The example list a server without KSI_LIST_FILE hands out. NOT SOCIALSTYRELSEN'S: the official
 * list could not be fetched where this was written, so it holds only the code the project's seeds,
 * tests and documentation use. The server says so at start and the workstation shows it.
 */
export const EXAMPLE_KSI_ENTRIES: readonly KsiEntry[] = [{ code: 'PMB.AA', title: 'Praktiskt stöd i att sköta sin personliga hygien' }];
export const EXAMPLE_KSI_NOTICE = 'exempellista — inte Socialstyrelsens';

export const KsiList = z.object({
  /** `file`: the organisation's list (KSI_LIST_FILE); `example`: the bundled example list. */
  source: z.enum(['file', 'example']),
  /** The file's name (no folder) when `file`. */
  fileName: z.string().max(255).nullable(),
  entries: z.array(z.object({ code: KsiCode, title: z.string().min(1).max(500) }).strict()).max(20_000),
});
export type KsiList = z.infer<typeof KsiList>;

export const exampleKsiList = (): KsiList => ({ source: 'example', fileName: null, entries: EXAMPLE_KSI_ENTRIES.map((e) => ({ ...e })) });

/** What a user reads of where the list comes from: "KSI-listan: exempellista — inte Socialstyrelsens (1 kod)". */
export function ksiListSource(list: KsiList): string {
  const n = `${list.entries.length} ${list.entries.length === 1 ? 'kod' : 'koder'}`;
  return list.source === 'example' ? `KSI-listan: ${EXAMPLE_KSI_NOTICE} (${n})` : `KSI-listan: ${list.fileName ?? 'organisationens fil'} (${n})`;
}

/**
 * The workstation's copy (main/plans/ksi-list.ts): the list as the server last handed it out and
 * when; `fetchedAt` null: never fetched on this PC, the bundled example list stands in.
 */
export const KsiCopy = z.object({ list: KsiList, fetchedAt: z.string().nullable() });
export type KsiCopy = z.infer<typeof KsiCopy>;

/** GET /api/v1/ksi: the organisation's KSI list (no personal data; any session). */
export const ksiRoutes = {
  list: { method: 'GET', path: '/api/v1/ksi', response: KsiList },
} as const;

/** The list by code. */
export type KsiIndex = ReadonlyMap<string, KsiEntry>;
export const ksiIndex = (list: KsiList): KsiIndex => new Map(list.entries.map((e) => [e.code, e]));

/** "SMB RB ZZ – titel"; a code outside the list (an old plan's) as it is. */
export const ksiLabel = (code: string, index: KsiIndex): string => {
  const k = index.get(code);
  return k ? `${k.code} – ${k.title}` : code;
};

/** The first activity whose code is not in the list, as the Swedish refusal; null when all are (or have none). */
export function ksiListProblem(activities: readonly { ksiCode: string | null }[], index: KsiIndex): string | null {
  const i = activities.findIndex((a) => a.ksiCode !== null && !index.has(a.ksiCode));
  if (i < 0) return null;
  return `KSI-koden ${activities[i]!.ksiCode} (aktivitet ${i + 1}) finns inte i KSI-listan. Välj en kod ur listan eller ingen.`;
}

/** The workstation's check before a draft is queued, as the server's (VALIDATION, the same words). */
export function assertKsiInList(activities: readonly { ksiCode: string | null }[], index: KsiIndex): void {
  const problem = ksiListProblem(activities, index);
  if (problem) throw new AppFailure('VALIDATION', problem);
}

// ---- the official list as IT saves it from Excel ----

/** A file that is not a KSI list: `line` is the file's line (1 = the first). */
export class KsiListError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(line > 0 ? `KSI-listan, rad ${line}: ${problem}` : `KSI-listan: ${problem}`);
    this.name = 'KsiListError';
  }
}

const CODE_HEADERS = new Set(['kod', 'ksi-kod', 'ksi kod', 'ksikod', 'ksi-koder']);
const TITLE_HEADERS = new Set(['benämning', 'titel', 'namn']);
const SEPARATORS = [';', ',', '\t'] as const;
/** Lines before the header row that are skipped (a sheet's title row, an empty row). */
const MAX_LINES_BEFORE_HEADER = 10;

/** The file's records: fields, and the line each record starts on. Quotes as Excel writes them ("" inside a quoted field). */
function records(text: string, sep: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const end = () => {
    fields.push(field);
    out.push({ line: start, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === sep) {
      fields.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      // the \n ends the record
    } else if (ch === '\n' || ch === '\r') {
      end();
      line++;
      start = line;
    } else field += ch;
    i++;
  }
  if (quoted) throw new KsiListError(start, 'ett citattecken (") öppnas men stängs aldrig.');
  if (field !== '' || fields.length > 0) end();
  return out;
}

/** The separator of the header line: the one of ; , tab that occurs most outside quotes. */
function separatorOf(text: string): string {
  const head = text.split(/\r?\n/).slice(0, MAX_LINES_BEFORE_HEADER + 1).join('\n').replace(/"[^"]*"/g, '');
  let best: string = SEPARATORS[0];
  let most = -1;
  for (const s of SEPARATORS) {
    const n = head.split(s).length - 1;
    if (n > most) [best, most] = [s, n];
  }
  return best;
}

const header = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
/** Spaces as Excel may leave them (non-breaking, doubled, around) become one space; capitals. */
const normaliseCode = (s: string) => s.replace(/[\s\u00a0]+/g, ' ').trim().toUpperCase();

/**
 * Socialstyrelsen's KSI list as IT saves it from Excel ("Spara som" → "CSV UTF-8"): `;`, `,` or tab
 * separated, a header row with a code column ("Kod" / "KSI-kod") and a title column ("Benämning" /
 * "Titel" / "Namn"), other columns ignored, quoted fields, a byte-order mark, empty rows skipped.
 * Throws KsiListError naming the line for anything else: no header, a missing code or title, a code
 * not of a KSI code's form, a code twice, no codes at all.
 */
export function parseKsiCsv(text: string, fileName: string | null = null): KsiList {
  const body = text.replace(/^\uFEFF/, '');
  if (body.includes('\u0000')) throw new KsiListError(0, 'filen är inte text (spara Excel-bladet som "CSV UTF-8").');
  if (body.includes('\uFFFD')) throw new KsiListError(0, 'filen är inte UTF-8 (spara Excel-bladet som "CSV UTF-8", inte "CSV").');
  const sep = separatorOf(body);
  const rows = records(body, sep).filter((r) => r.fields.some((f) => f.trim() !== ''));
  let codeAt = -1;
  let titleAt = -1;
  let first = 0;
  for (; first < rows.length && first <= MAX_LINES_BEFORE_HEADER; first++) {
    const names = rows[first]!.fields.map(header);
    codeAt = names.findIndex((n) => CODE_HEADERS.has(n));
    titleAt = names.findIndex((n) => TITLE_HEADERS.has(n));
    if (codeAt >= 0 && titleAt >= 0) break;
  }
  if (codeAt < 0 || titleAt < 0 || first >= rows.length) {
    throw new KsiListError(0, 'hittar ingen rubrikrad med en kolumn "Kod" (eller "KSI-kod") och en kolumn "Benämning" (eller "Titel", "Namn").');
  }
  const entries: KsiEntry[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of rows.slice(first + 1)) {
    const code = normaliseCode(fields[codeAt] ?? '');
    const title = (fields[titleAt] ?? '').replace(/\s+/g, ' ').trim();
    if (!code) throw new KsiListError(line, 'koden saknas.');
    if (!isKsiCodeForm(code)) throw new KsiListError(line, `"${code.slice(0, 40)}" är inte en KSI-kod (tre grupper av versaler med mellanslag emellan, t.ex. SMB RB ZZ).`);
    if (!title) throw new KsiListError(line, `benämningen av ${code} saknas.`);
    if (title.length > 500) throw new KsiListError(line, `benämningen av ${code} är längre än 500 tecken.`);
    const before = seen.get(code);
    if (before !== undefined) throw new KsiListError(line, `${code} finns redan på rad ${before}.`);
    seen.set(code, line);
    entries.push({ code, title });
  }
  if (entries.length === 0) throw new KsiListError(0, 'filen har en rubrikrad men inga koder.');
  if (entries.length > 20_000) throw new KsiListError(0, `filen har ${entries.length} koder; högst 20 000.`);
  return { source: 'file', fileName, entries };
}
