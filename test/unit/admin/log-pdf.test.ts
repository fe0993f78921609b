import { describe, expect, it } from 'vitest';
import type { LogRow, Review } from '#contract';
import { logSearchPdf, reviewPdf } from '../../../main/admin/log-pdf';
import { pdfText } from '../../support/pdf-text';

const row = (id: string, at: string, extra: Partial<LogRow> = {}): LogRow => ({
  id,
  at,
  action: 'read',
  outcome: 'success',
  errorCode: null,
  actorHsaId: 'SE2321000131-P000000000101',
  actorName: 'Anna Lindqvist',
  client: { id: '00000000-0000-4000-8000-000000000001', personnummer: '191212121212', name: 'Tolvan Tolvansson' },
  unitName: 'Hemtjänst Majorna',
  recordType: 'journal',
  workstation: 'WS-12',
  ...extra,
});
const meta = { printedBy: 'Peter Svensson', printedAt: new Date('2026-12-02T10:00:00Z') };

describe('access-log PDFs (read back with pdftotext)', () => {
  it('a search: the criteria, who printed it, every row with time, action, user, client and workstation, page numbers', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => row(String(1000 - i), new Date(Date.UTC(2026, 11, 1, 12, 0) - i * 60_000).toISOString()));
    rows[1] = row('999', rows[1]!.at, { action: 'login_failed', outcome: 'failure', errorCode: 'PIN_WRONG', client: null, unitName: null });
    const text = await pdfText(await logSearchPdf(rows, 'Sökning: brukare Tolvan Tolvansson', meta));
    expect(text).toContain('Åtkomstlogg – sökresultat');
    expect(text).toContain('Sökning: brukare Tolvan Tolvansson');
    expect(text).toContain('Utskriven 2026-12-02 11:00 av Peter Svensson');
    expect(text).toContain('60 rader');
    expect(text).toMatch(/2026-12-01 13:00\s+Läsning\s+·\s+Anna Lindqvist \(SE2321000131-P000000000101\)/);
    expect(text).toContain('Tolvan Tolvansson, 19121212-1212, Hemtjänst Majorna');
    expect(text).toContain('Misslyckad inloggning (misslyckad: PIN_WRONG)');
    expect(text).toContain('Logg-id 941');
    expect(text).toMatch(/Sida 1 av [2-9]/);
  });

  it('a review: who reviewed and when, what was followed up, the summary, each finding with its verdict and comment', async () => {
    const review: Review = {
      id: '00000000-0000-4000-8000-000000000002',
      at: '2026-12-01T15:30:00.000Z',
      reviewer: 'Peter Svensson',
      kind: 'sample',
      criteria: 'Stickprov: 2 slumpvisa läsningar de senaste 30 dagarna',
      summary: 'En läsning ska utredas med enhetschefen.',
      findings: [
        { logId: '11', verdict: 'justified', comment: '', row: row('11', '2026-11-20T08:00:00Z') },
        { logId: '12', verdict: 'investigate', comment: 'Ingen insats den dagen.', row: row('12', '2026-11-21T20:00:00Z', { actorName: 'Elin Johansson' }) },
      ],
    };
    const text = await pdfText(await reviewPdf(review, meta));
    expect(text).toContain('Granskning av åtkomstloggen');
    expect(text).toContain('Granskad 2026-12-01 16:30 av Peter Svensson.');
    expect(text).toContain('Stickprov: 2 slumpvisa läsningar de senaste 30 dagarna');
    expect(text).toContain('2 bedömda rader, 1 att utreda.');
    expect(text).toContain('En läsning ska utredas med enhetschefen.');
    expect(text).toContain('Bedömning: Befogad');
    expect(text).toContain('Bedömning: Ska utredas: Ingen insats den dagen.');
    expect(text).toContain('Elin Johansson');
    expect(text).toContain('Granskare: underskrift (Peter Svensson)');
  });
});
