import { LIFE_AREA_LABELS_SV, formatPersonnummer, swedishDateTime, type ClientRecord } from '#contract';
import type { LocalJournalEntry } from '#contract';
import { FONT, newPdf } from '../exports/pdf-document';

/** IBIC life areas in Swedish, for the printout. */
export const lifeAreaSv = LIFE_AREA_LABELS_SV;


/**
 * The client's execution journal as a text-only PDF (A4, DejaVu Sans embedded: main/exports/pdf-document.ts): the client's name and
 * personnummer on every page, each entry with event date, author and title, time written, life
 * area, and an erroneous marking (who, when, why) in full. Entries newest first, as on screen.
 */
export interface PrintMeta {
  printedBy: string;
  printedAt: Date;
  /** The event dates asked for; nulls: from the first / to the last. */
  period: { from: string | null; to: string | null };
}

/** "Händelsedatum 2026-11-01 – 2026-11-30", or "Hela journalen". */
export const periodText = ({ from, to }: PrintMeta['period']): string =>
  from || to ? `Händelsedatum ${from ?? 'från början'} – ${to ?? 'till sista'}` : 'Hela journalen';

export function journalPdf(client: ClientRecord, entries: LocalJournalEntry[], meta: PrintMeta): Promise<Buffer> {
  const { doc, done } = newPdf('Verkställighetsjournal', { top: 72, bottom: 60, left: 60, right: 60 });
  const byId = new Map(entries.map((e) => [e.id, e]));
  const width = doc.page.width - 120;

  doc.font(FONT.bold).fontSize(16).text('Verkställighetsjournal');
  doc.moveDown(0.3);
  doc.font(FONT.regular).fontSize(11).text(`${client.familyName}, ${client.givenName}  ·  ${formatPersonnummer(client.personnummer)}`);
  doc.fontSize(9).fillColor('#444').text(`${periodText(meta.period)}. Utskriven ${swedishDateTime(meta.printedAt.toISOString())} av ${meta.printedBy}. ${entries.length} anteckningar, nyaste först.`);
  doc.fillColor('black').moveDown(1);
  if (entries.length === 0) doc.fontSize(11).text(meta.period.from || meta.period.to ? 'Journalen har inga anteckningar under perioden.' : 'Journalen har inga anteckningar.');

  for (const e of entries) {
    if (doc.y > doc.page.height - 140) doc.addPage();
    const top = doc.y;
    doc.font(FONT.bold).fontSize(11).text(`${e.eventDate}${e.erroneous ? '  FELMARKERAD' : ''}`, { continued: false });
    doc.font(FONT.regular).fontSize(9).fillColor('#333')
      .text(`${e.author.name}, ${e.author.title} · skriven ${swedishDateTime(e.createdAt)}${e.lifeArea ? ` · ${lifeAreaSv[e.lifeArea]}` : ''}${e.pending ? ' · ej skickad till servern' : ''}`);
    if (e.correctsId) {
      const c = byId.get(e.correctsId);
      doc.text(`Rättar anteckningen från ${c ? `${c.eventDate} (${c.author.name})` : 'en tidigare anteckning'}.`);
    }
    doc.fillColor('black').fontSize(10).moveDown(0.2);
    doc.text(e.text, { width, strike: e.erroneous !== null });
    if (e.erroneous) {
      doc.moveDown(0.2).font(FONT.oblique).fontSize(9)
        .text(`Felmarkerad ${swedishDateTime(e.erroneous.markedAt)} av ${e.erroneous.markedBy.name}, ${e.erroneous.markedBy.title}. Orsak: ${e.erroneous.reason}`, { width });
      doc.font(FONT.regular);
    }
    doc.moveDown(0.4);
    doc.moveTo(60, doc.y).lineTo(60 + width, doc.y).lineWidth(0.5).strokeColor('#999').stroke();
    doc.moveDown(0.6);
    if (doc.y < top) doc.moveDown(0); // a page break inside the entry: nothing more to do
  }

  // Header and page numbers on every page (the name and personnummer identify each sheet).
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const y = doc.page.margins.top;
    doc.page.margins.top = 0;
    doc.font(FONT.regular).fontSize(8).fillColor('#444')
      .text(`${client.familyName}, ${client.givenName} · ${formatPersonnummer(client.personnummer)}`, 60, 36, { width, lineBreak: false });
    doc.page.margins.bottom = 0;
    doc.text(`Sida ${i + 1} av ${range.count} · Sekretess enligt OSL 26 kap.`, 60, doc.page.height - 40, { width, align: 'right', lineBreak: false });
    doc.page.margins.top = y;
    doc.page.margins.bottom = 60;
  }
  doc.end();
  return done;
}
