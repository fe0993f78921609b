import {
  DEVIATION_CATEGORY_SV,
  DEVIATION_DECISION_SV,
  formatPersonnummer,
  LEX_SARAH_OPINION_SV,
  swedishDate,
  swedishDateTime,
  type DeviationCase,
  type DeviationStep,
} from '#contract';
import { pdfDocumentClass } from '../exports/pdf-document';

type Of<K extends DeviationStep['kind']> = Extract<DeviationStep, { kind: K }>;

/**
 * The underlag for the report to IVO (anmälan enligt lex Sarah, 14 kap. 7 § SoL) as a text-only
 * PDF (A4, Helvetica), in the order IVO's e-service asks: the provider and unit, the person
 * concerned, the event (when, where, what, the consequence, what was done at once), when the
 * lex Sarah report was made, the investigation (facts, the person's own view, causes), measures,
 * the provider's assessment and who is responsible. The reporter is named by title only.
 */
export function ivoPdf(c: DeviationCase, meta: { printedBy: string; printedAt: Date }): Promise<Buffer> {
  const PDFDocument = pdfDocumentClass();
  const doc = new PDFDocument({ size: 'A4', margins: { top: 60, bottom: 60, left: 60, right: 60 }, info: { Title: 'Underlag för anmälan till IVO (lex Sarah)', Creator: 'Omsorgsportalen' } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 120;
  const r = c.record;
  const steps = <K extends DeviationStep['kind']>(k: K) => c.steps.filter((s): s is Of<K> => s.kind === k);
  const heading = (t: string) => {
    if (doc.y > doc.page.height - 140) doc.addPage();
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).fillColor('black').text(t, { width });
    doc.font('Helvetica').fontSize(10).moveDown(0.2);
  };
  const field = (label: string, value: string) => {
    doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true, width }).font('Helvetica').text(value.trim() === '' ? '—' : value, { width });
  };

  doc.font('Helvetica-Bold').fontSize(16).text('Underlag för anmälan till IVO enligt lex Sarah');
  doc.moveDown(0.2).font('Helvetica').fontSize(9).fillColor('#444')
    .text('Anmälan om allvarligt missförhållande eller påtaglig risk för allvarligt missförhållande (14 kap. 7 § socialtjänstlagen). Underlaget förs in i IVO:s e-tjänst.')
    .text(`Utskrivet ${swedishDateTime(meta.printedAt.toISOString())} av ${meta.printedBy}.`);
  if (c.ivoDue) doc.text(`Anmälan ska göras senast ${c.ivoDue} (två veckor efter rapporten).`);

  heading('1. Verksamheten');
  field('Enhet', c.unitName);
  field('Verksamhetsansvarig', meta.printedBy);
  heading('2. Den enskilde');
  field('Namn', c.clientName ?? 'Ingen enskild brukare angiven');
  field('Personnummer', c.clientPersonnummer ? formatPersonnummer(c.clientPersonnummer) : '—');
  heading('3. Händelsen');
  field('Inträffade', swedishDateTime(r.occurredAt));
  field('Plats', r.place);
  field('Kategori', DEVIATION_CATEGORY_SV[r.category]);
  field('Vad hände', r.description);
  field('Konsekvens för den enskilde', r.consequence);
  field('Vad gjordes direkt', r.immediateAction);
  heading('4. Rapporten enligt lex Sarah');
  field('Rapporterad', `${swedishDateTime(r.reportedAt)} av ${r.reportedBy.title}`);
  field('Rapportörens bedömning: lex Sarah', LEX_SARAH_OPINION_SV[r.lexSarah]);
  const received = steps('received')[0];
  if (received) field('Mottagen av verksamhetsansvarig', swedishDateTime(received.at));
  heading('5. Utredningen');
  const investigations = steps('investigation');
  if (investigations.length === 0) doc.text('Ingen utredning antecknad.', { width });
  for (const i of investigations) {
    doc.font('Helvetica-Oblique').text(`${swedishDate(new Date(i.at))}, ${i.by.name}, ${i.by.title}`, { width });
    field('Fakta', i.facts);
    field('Den enskildes syn', i.clientView);
    field('Orsaker', i.causes);
  }
  heading('6. Åtgärder');
  const doneOn = new Map(steps('measure_done').map((s) => [s.measureId, s.doneOn]));
  const measures = steps('measure');
  if (measures.length === 0) doc.text('Inga åtgärder antecknade.', { width });
  for (const m of measures) doc.text(`•  ${m.what} — ansvarig ${m.responsible}, senast ${m.dueDate}${doneOn.has(m.id) ? `, genomförd ${doneOn.get(m.id)}` : ', ej genomförd'}`, { width });
  heading('7. Verksamhetens bedömning');
  const decision = steps('decision')[0];
  field('Bedömning', decision ? DEVIATION_DECISION_SV[decision.decision] : 'Ej bedömd');
  if (decision) {
    field('Motivering', decision.reasoning);
    field('Bedömd', `${swedishDate(new Date(decision.at))} av ${decision.by.name}, ${decision.by.title}`);
  }
  const ivo = steps('ivo_report')[0];
  if (ivo) {
    heading('8. Anmälan till IVO');
    field('Anmäld', ivo.reportedOn);
    field('IVO:s diarienummer', ivo.reference);
  }
  doc.end();
  return done;
}
