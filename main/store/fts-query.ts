/**
 * Builds an FTS5 MATCH expression from what the user typed, never passing FTS syntax through:
 * the input is cut into words (letters and digits, as the unicode61 tokenizer sees them), each
 * word becomes a quoted phrase, and the last one a prefix term (search as you type), so
 * `frukost "åt` → `"frukost" "åt"*`. Operators (AND, OR, NOT, NEAR), column filters, quotes,
 * parentheses and `*` in the input are just text. Returns null when nothing searchable is left.
 * A last word of one letter is not a prefix: `"t"*` matches most notes of a unit, and sorting
 * them for the LIMIT took 1.7 s of the store worker over 1M day notes, which every later
 * keystroke's search then waited behind (`npm run bench -- ui`); from two letters it is fast.
 */
const MIN_PREFIX = 2;

export function ftsQuery(input: string, opts: { prefixLast?: boolean; maxTerms?: number } = {}): string | null {
  const words = input.normalize('NFC').match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  const terms = words.slice(0, opts.maxTerms ?? 8).map((w) => w.slice(0, 64));
  if (terms.length === 0) return null;
  const prefixLast = opts.prefixLast ?? true;
  return terms.map((t, i) => `"${t.replaceAll('"', '""')}"${prefixLast && i === terms.length - 1 && [...t].length >= MIN_PREFIX ? '*' : ''}`).join(' ');
}
