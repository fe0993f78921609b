import { formatPersonnummer, swedishDateTime, type ClientRecord } from '#contract';
import type { LocalJournalEntry } from '#contract';
import { lifeAreaSv, periodText, type PrintMeta } from './pdf';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The journal as the PDF has it (journalPdf), as a self-contained HTML page for the system print
 * dialog (the Electron shell prints it from a hidden window without scripts). Every text escaped.
 */
export function journalHtml(client: ClientRecord, entries: LocalJournalEntry[], meta: PrintMeta): string {
  const who = `${esc(client.familyName)}, ${esc(client.givenName)} · ${esc(formatPersonnummer(client.personnummer))}`;
  const byId = new Map(entries.map((e) => [e.id, e]));
  const items = entries.map((e) => {
    const corrects = e.correctsId ? byId.get(e.correctsId) : undefined;
    return `<article>
<h2>${esc(e.eventDate)}${e.erroneous ? ' FELMARKERAD' : ''}</h2>
<p class="meta">${esc(e.author.name)}, ${esc(e.author.title)} · skriven ${esc(swedishDateTime(e.createdAt))}${e.lifeArea ? ` · ${esc(lifeAreaSv[e.lifeArea])}` : ''}${e.pending ? ' · ej skickad till servern' : ''}</p>
${e.correctsId ? `<p class="meta">Rättar anteckningen från ${corrects ? `${esc(corrects.eventDate)} (${esc(corrects.author.name)})` : 'en tidigare anteckning'}.</p>` : ''}
${e.erroneous ? `<p><del>${esc(e.text)}</del></p><p class="marked">Felmarkerad ${esc(swedishDateTime(e.erroneous.markedAt))} av ${esc(e.erroneous.markedBy.name)}, ${esc(e.erroneous.markedBy.title)}. Orsak: ${esc(e.erroneous.reason)}</p>` : `<p>${esc(e.text)}</p>`}
</article>`;
  });
  return `<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Verkställighetsjournal</title>
<style>
@page { size: A4; margin: 20mm 18mm; }
body { font: 10.5pt/1.4 Helvetica, Arial, sans-serif; color: #000; }
h1 { font-size: 15pt; margin: 0 0 2pt; } h2 { font-size: 11pt; margin: 0; }
.meta { color: #333; font-size: 9pt; margin: 1pt 0; } .marked { font-style: italic; font-size: 9pt; }
article { border-bottom: 0.5pt solid #999; padding: 6pt 0; break-inside: avoid; }
p { white-space: pre-wrap; margin: 3pt 0; } footer { font-size: 8pt; color: #444; margin-top: 8pt; }
</style></head><body>
<h1>Verkställighetsjournal</h1>
<p>${who}</p>
<p class="meta">${esc(periodText(meta.period))}. Utskriven ${esc(swedishDateTime(meta.printedAt))} av ${esc(meta.printedBy)}. ${entries.length} anteckningar, nyaste först.</p>
${entries.length === 0 ? '<p>Inga anteckningar.</p>' : items.join('\n')}
<footer>Sekretess enligt OSL 26 kap.</footer>
</body></html>`;
}
