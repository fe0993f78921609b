import { LIFE_AREA_LABELS_SV, swedishDate, swedishDateTime, type DayNoteRecord, type LifeArea } from '#contract';

type Note = Pick<DayNoteRecord, 'id' | 'text' | 'author' | 'createdAt'>;

/** One note as a line of the journal draft: "2026-12-01 14:05 Sara Nyström: text". */
export const noteLine = (n: Note) => `${swedishDateTime(n.createdAt)} ${n.author.name}: ${n.text}`;

/** The notes written on the Swedish days from–to (inclusive). */
export const inPeriod = <N extends Pick<DayNoteRecord, 'createdAt'>>(notes: N[], from: string, to: string): N[] =>
  notes.filter((n) => {
    const d = swedishDate(new Date(n.createdAt));
    return d >= from && d <= to;
  });

/**
 * The journal draft's text for the chosen notes, oldest first: under a heading per life area when
 * the user gave notes one (IBIC order, then the notes without one under "Övrigt"), else one list.
 */
export function summaryText(title: string, chosen: Note[], areaOf: (id: string) => LifeArea | null): string {
  const oldestFirst = [...chosen].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (!oldestFirst.some((n) => areaOf(n.id))) return [title, ...oldestFirst.map(noteLine)].join('\n');
  const areas = Object.keys(LIFE_AREA_LABELS_SV) as LifeArea[];
  const blocks: string[] = [title];
  for (const area of [...areas, null]) {
    const notes = oldestFirst.filter((n) => areaOf(n.id) === area);
    if (notes.length) blocks.push(`\n${area ? LIFE_AREA_LABELS_SV[area] : 'Övrigt'}:`, ...notes.map(noteLine));
  }
  return blocks.join('\n');
}

/** The one life area all chosen notes share, for the entry itself; null when they differ or have none. */
export function commonArea(ids: string[], areaOf: (id: string) => LifeArea | null): LifeArea | null {
  const areas = new Set(ids.map(areaOf));
  return areas.size === 1 ? [...areas][0]! : null;
}
