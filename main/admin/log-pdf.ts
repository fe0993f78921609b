import { FINDING_VERDICT_LABELS_SV, formatPersonnummer, LOGGED_ACTION_LABELS_SV, recordTypeSv, swedishDateTime, type LogRow, type Review } from '#contract';
import { FONT, newPdf, type PdfDoc } from '../exports/pdf-document';

/**
 * Access-log follow-up on paper (docs/administration.md): a search's rows, or a documented review
 * (who reviewed, what was followed up, the summary, a finding per row), as text-only A4 PDFs in
 * DejaVu Sans like the journal's (main/exports/pdf-document.ts). Who printed it and when on the first page; page numbers and the
 * secrecy note on every page.
 */
export interface PrintMeta {
  printedBy: string;
  printedAt: Date;
}

type Doc = PdfDoc;
const MARGIN = 50;

function pdf(title: string, meta: PrintMeta, body: (doc: Doc, width: number) => void): Promise<Buffer> {
  const { doc, done } = newPdf(title, { top: 60, bottom: 60, left: MARGIN, right: MARGIN });
  const width = doc.page.width - 2 * MARGIN;
  doc.font(FONT.bold).fontSize(16).text(title, { width });
  doc.moveDown(0.2).font(FONT.regular).fontSize(9).fillColor('#444').text(`Utskriven ${swedishDateTime(meta.printedAt)} av ${meta.printedBy}. Utskriften är loggad.`, { width });
  doc.fillColor('black').moveDown(0.6);
  body(doc, width);
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    doc.page.margins.bottom = 0;
    doc.font(FONT.regular).fontSize(8).fillColor('#444').text(`${title} · Sida ${i + 1} av ${range.count} · Innehåller personuppgifter: sekretess enligt OSL 26 kap.`, MARGIN, doc.page.height - 40, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = 60;
  }
  doc.end();
  return done;
}

/** One log row as two lines: when, what, who; then the client, unit, record type and workstation. */
function row(doc: Doc, width: number, r: LogRow, extra?: string) {
  if (doc.y > doc.page.height - 110) doc.addPage();
  const who = r.actorName ? `${r.actorName}${r.actorHsaId ? ` (${r.actorHsaId})` : ''}` : (r.actorHsaId ?? 'okänd användare');
  doc.font(FONT.bold).fontSize(9.5).fillColor('black').text(`${swedishDateTime(r.at)}  ${LOGGED_ACTION_LABELS_SV[r.action]}${r.outcome === 'failure' ? ` (misslyckad${r.errorCode ? `: ${r.errorCode}` : ''})` : ''}  ·  ${who}`, { width });
  const client = r.client ? `${r.client.name}, ${formatPersonnummer(r.client.personnummer)}${r.unitName ? `, ${r.unitName}` : ''}` : 'ingen brukare';
  doc.font(FONT.regular).fontSize(9).text(`Brukare: ${client}  ·  Post: ${recordTypeSv(r.recordType)}  ·  Arbetsstation: ${r.workstation ?? '–'}  ·  Logg-id ${r.id}`, { width });
  if (extra) doc.font(FONT.oblique).text(extra, { width });
  doc.moveDown(0.35);
}

/** A search's rows (newest first, as found), with the criteria in words. */
export function logSearchPdf(rows: readonly LogRow[], criteria: string, meta: PrintMeta): Promise<Buffer> {
  return pdf('Åtkomstlogg – sökresultat', meta, (doc, width) => {
    doc.font(FONT.regular).fontSize(10).text(criteria, { width });
    doc.text(`${rows.length} ${rows.length === 1 ? 'rad' : 'rader'}${rows.length >= 500 ? ' (högst 500 skrivs ut: avgränsa sökningen för fler)' : ''}.`, { width }).moveDown(0.6);
    if (rows.length === 0) doc.text('Inga träffar.', { width });
    for (const r of rows) row(doc, width, r);
  });
}

/** A documented review: who, when, what was followed up, the summary, and every finding with its row. */
export function reviewPdf(review: Review, meta: PrintMeta): Promise<Buffer> {
  return pdf('Granskning av åtkomstloggen', meta, (doc, width) => {
    doc.font(FONT.regular).fontSize(10);
    doc.text(`Granskad ${swedishDateTime(review.at)} av ${review.reviewer}.`, { width });
    doc.text(review.criteria, { width });
    const investigate = review.findings.filter((f) => f.verdict === 'investigate').length;
    const n = review.findings.length;
    doc.text(`${n} ${n === 1 ? 'bedömd rad' : 'bedömda rader'}, ${investigate} att utreda.`, { width }).moveDown(0.5);
    doc.font(FONT.bold).fontSize(11).text('Sammanfattning', { width });
    doc.font(FONT.regular).fontSize(10).text(review.summary, { width }).moveDown(0.5);
    doc.font(FONT.bold).fontSize(11).text('Bedömningar', { width }).moveDown(0.2);
    for (const f of review.findings) {
      const verdict = `${FINDING_VERDICT_LABELS_SV[f.verdict]}${f.comment.trim() ? `: ${f.comment.trim()}` : ''}`;
      if (f.row) row(doc, width, f.row, `Bedömning: ${verdict}`);
      else doc.font(FONT.regular).fontSize(9).text(`Logg-id ${f.logId} (raden finns inte längre i organisationens logg) · Bedömning: ${verdict}`, { width }).moveDown(0.35);
    }
    // A line to sign the printed review on, as the provider's routine for follow-up may ask.
    if (doc.y > doc.page.height - 150) doc.addPage();
    doc.moveDown(3);
    const y = doc.y;
    doc.moveTo(MARGIN, y).lineTo(MARGIN + 240, y).lineWidth(0.5).strokeColor('#000').stroke();
    doc.moveTo(MARGIN + 270, y).lineTo(MARGIN + width, y).stroke();
    doc.font(FONT.regular).fontSize(9).fillColor('#333').text(`Granskare: underskrift (${review.reviewer})`, MARGIN, y + 4, { width: 240 });
    doc.text('Ort och datum', MARGIN + 270, y + 4, { width: width - 270 });
    doc.x = MARGIN;
  });
}
