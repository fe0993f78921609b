import {
  CONSENT_HOW_SV,
  CONSENT_STATUS_SV,
  LIFE_AREA_LABELS_SV,
  PARTICIPANT_ROLE_SV,
  currentConsent,
  latestConsent,
  formatPersonnummer,
  ksiLabel,
  swedishDateTime,
  type ClientRecord,
  type KsiIndex,
  type PlanRecord,
  type PlanVersion,
} from '#contract';
import { FONT, newPdf } from '../exports/pdf-document';

/**
 * A set version of the implementation plan as a text-only PDF (A4, DejaVu Sans embedded), laid out to be
 * signed on paper by the client if they wish: the client, the version and who set it, the goals
 * per life area, the activities (what, who, how, when, KSI code and title from the organisation's list), participation, cooperation and
 * follow-up, the consent as recorded, and lines for the signatures. Name and personnummer on every page.
 */
export function planPdf(client: ClientRecord, plan: PlanRecord, version: PlanVersion, meta: { printedBy: string; printedAt: Date; covered: string[]; ksi: KsiIndex }): Promise<Buffer> {
  const { doc, done } = newPdf('Genomförandeplan', { top: 72, bottom: 60, left: 60, right: 60 });
  const width = doc.page.width - 120;
  const c = version.content;
  const heading = (t: string) => {
    if (doc.y > doc.page.height - 140) doc.addPage();
    doc.moveDown(0.6).font(FONT.bold).fontSize(12).fillColor('black').text(t, { width });
    doc.font(FONT.regular).fontSize(10).moveDown(0.2);
  };
  const para = (t: string) => doc.font(FONT.regular).fontSize(10).fillColor('black').text(t.trim() === '' ? '—' : t, { width });

  doc.font(FONT.bold).fontSize(16).text('Genomförandeplan');
  doc.moveDown(0.3).font(FONT.regular).fontSize(11).text(`${client.familyName}, ${client.givenName}  ·  ${formatPersonnummer(client.personnummer)}`);
  doc.fontSize(9).fillColor('#444')
    .text(`Version ${version.versionNo}, fastställd ${version.setOn} av ${version.setBy.name}, ${version.setBy.title}.${version.status === 'replaced' ? ` Ersatt ${version.replacedOn}.` : ''}`)
    .text(`Utskriven ${swedishDateTime(meta.printedAt.toISOString())} av ${meta.printedBy}.`);

  if (meta.covered.length > 0) {
    heading('Uppdrag som planen gäller');
    for (const a of meta.covered) para(`•  ${a}`);
  }
  heading('Brukarens egna mål');
  para(c.clientGoals);
  for (const area of c.areas) {
    heading(LIFE_AREA_LABELS_SV[area.lifeArea]);
    doc.font(FONT.oblique).text('Behov', { width });
    para(area.needs);
    doc.font(FONT.oblique).text('Mål', { width });
    for (const g of area.goals) para(`•  ${g.text}`);
  }
  heading('Aktiviteter');
  for (const a of c.activities) {
    doc.font(FONT.bold).fontSize(10).text(`${a.what}${a.ksiCode ? `  (KSI ${ksiLabel(a.ksiCode, meta.ksi)})` : ''}`, { width });
    para(`Vem: ${a.who}${a.lifeArea ? ` · ${LIFE_AREA_LABELS_SV[a.lifeArea]}` : ''}\nHur: ${a.how || '—'}\nNär: ${a.when || '—'}`);
    doc.moveDown(0.3);
  }
  heading('Brukarens delaktighet');
  para(c.participation);
  heading('Andra som deltog');
  para(c.othersPresent.map((o) => `${PARTICIPANT_ROLE_SV[o.role]}${o.name ? ` ${o.name}` : ''}`).join(', '));
  heading('Samverkan med handläggare och hälso- och sjukvård');
  para(c.cooperation);
  heading('Uppföljning');
  para(`${c.followUp.date ? `Planerad ${c.followUp.date}. ` : ''}${c.followUp.how}`);
  heading('Samtycke');
  const consent = currentConsent(plan);
  const last = latestConsent(plan);
  para(
    last
      ? `${CONSENT_STATUS_SV[last.status]} ${last.date} (${CONSENT_HOW_SV[last.how]}${last.givenBy === 'representative' ? `, av företrädare ${last.representative}` : ''}), antecknat av ${last.recordedBy.name}.${consent ? ' Handläggaren får läsa planen.' : ''}`
      : 'Inget samtycke antecknat.',
  );

  if (doc.y > doc.page.height - 200) doc.addPage();
  doc.moveDown(2);
  for (const who of ['Brukare eller företrädare', 'För utföraren']) {
    doc.moveDown(1.5);
    const y = doc.y;
    doc.moveTo(60, y).lineTo(300, y).lineWidth(0.5).strokeColor('#000').stroke();
    doc.moveTo(330, y).lineTo(60 + width, y).stroke();
    doc.font(FONT.regular).fontSize(9).fillColor('#333').text(`${who}: underskrift och namnförtydligande`, 60, y + 4, { width: 240 });
    doc.text('Ort och datum', 330, y + 4, { width: width - 270 });
    doc.x = 60;
  }

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const top = doc.page.margins.top;
    doc.page.margins.top = 0;
    doc.font(FONT.regular).fontSize(8).fillColor('#444')
      .text(`${client.familyName}, ${client.givenName} · ${formatPersonnummer(client.personnummer)} · Genomförandeplan v${version.versionNo}`, 60, 36, { width, lineBreak: false });
    doc.page.margins.bottom = 0;
    doc.text(`Sida ${i + 1} av ${range.count} · Sekretess enligt OSL 26 kap.`, 60, doc.page.height - 40, { width, align: 'right', lineBreak: false });
    doc.page.margins.top = top;
    doc.page.margins.bottom = 60;
  }
  doc.end();
  return done;
}
