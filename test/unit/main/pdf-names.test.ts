import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyPlanContent, type ClientRecord, type PlanRecord, type PlanVersion } from '#contract';
import type { LocalJournalEntry } from '#contract';
import { logSearchPdf } from '../../../main/admin/log-pdf';
import { fontPaths } from '../../../main/exports/pdf-document';
import { journalPdf } from '../../../main/journal/pdf';
import { planPdf } from '../../../main/plans/pdf';
import { pdfText } from '../../support/pdf-text';

/**
 * Names of people living in Sweden, printed in legal records: Latin Extended (Polish, Turkish,
 * Czech, Vietnamese), Cyrillic and Greek. Each must read back from the PDF exactly as written —
 * with the built-in Helvetica they came out as garbage.
 */
const NAMES = ['Łukasz Wiśniewski', 'Şahin Yılmaz', 'Наталья Иванова', 'Γιώργος Παπαδόπουλος', 'Dvořák Žaneta', 'Nguyễn Thị Hằng', 'Åsa Öberg-Ärlig', 'Ðorđe Čolić'];
const client: ClientRecord = { id: '00000000-0000-4000-8000-000000000001', unitId: '00000000-0000-4000-8000-000000000009', personnummer: '191212121212', givenName: 'Łukasz', familyName: 'Wiśniewski' };
const author = (name: string) => ({ staffId: '00000000-0000-4000-8000-000000000002', hsaId: 'SE2321000131-P000000000101', name, title: 'Undersköterska' });
const printedAt = new Date('2026-12-02T10:00:00Z');

/** Every name appears in the text pdftotext reads, character for character. */
function expectNames(text: string, names: readonly string[]) {
  for (const n of names) expect(text, n).toContain(n);
}

describe('PDFs print the names of people living in Sweden (read back with pdftotext)', () => {
  it('embeds DejaVu Sans from the dejavu-fonts-ttf package (a font file, not a built-in PDF font)', async () => {
    for (const file of Object.values(fontPaths())) expect(readFileSync(file).subarray(0, 4).toString('hex')).toBe('00010000');
    const pdf = await journalPdf(client, [], { printedBy: 'Şahin Yılmaz', printedAt, period: { from: null, to: null } });
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/FontFile2/);
    expect(raw).toMatch(/DejaVuSans/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);
  });

  it('the journal: client, authors, markings and text', async () => {
    const entries: LocalJournalEntry[] = NAMES.map((name, i) => ({
      id: `00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`,
      clientId: client.id,
      unitId: client.unitId,
      eventDate: '2026-12-01',
      text: `Besök hos ${name}. Наталья hjälpte till med frukost; Şahin ringde.`,
      lifeArea: null,
      assignmentId: null,
      author: author(name),
      createdAt: '2026-12-01T09:00:00.000Z',
      erroneous: i === 0 ? { markedAt: '2026-12-01T10:00:00.000Z', markedBy: author('Γιώργος Παπαδόπουλος'), reason: 'Fel brukare, skrivet av Łukasz' } : null,
      correctsId: null,
      pending: false,
    }));
    const text = await pdfText(await journalPdf(client, entries, { printedBy: 'Наталья Иванова, Undersköterska', printedAt, period: { from: null, to: null } }));
    expectNames(text, NAMES);
    expect(text).toContain('Wiśniewski, Łukasz');
    expect(text).toContain('Utskriven 2026-12-02 11:00 av Наталья Иванова, Undersköterska');
    expect(text).toMatch(/Orsak: Fel brukare, skrivet\s+av Łukasz/);
  });

  it('the implementation plan: client, who set it, activities and participants', async () => {
    const version: PlanVersion = {
      id: '00000000-0000-4000-8000-000000000201',
      versionNo: 1,
      status: 'set',
      content: {
        ...emptyPlanContent(),
        clientGoals: 'Şahin vill laga mat själv.',
        othersPresent: [{ role: 'relative', name: 'Наталья Иванова' }],
        activities: [{ id: '00000000-0000-4000-8000-000000000202', lifeArea: null, what: 'Matlagning med Łukasz', who: 'Undersköterska', how: '', when: 'mån–fre', ksiCode: 'SMB RB ZZ' }],
      },
      setOn: '2026-12-01',
      setBy: author('Γιώργος Παπαδόπουλος'),
      setAt: '2026-12-01T09:00:00.000Z',
      replacedOn: null,
    };
    const plan: PlanRecord = { id: '00000000-0000-4000-8000-000000000200', unitId: client.unitId, clientId: client.id, revision: 2, createdAt: version.setAt, createdBy: version.setBy, draft: null, versions: [version], followUps: [], consents: [] };
    const text = await pdfText(await planPdf(client, plan, version, { printedBy: 'Nguyễn Thị Hằng', printedAt, covered: [], ksi: new Map([['SMB RB ZZ', { code: 'SMB RB ZZ', title: 'Testbenämning' }]]) }));
    expectNames(text, ['KSI SMB RB ZZ – Testbenämning', 'Wiśniewski, Łukasz', 'Şahin vill laga mat själv.', 'Наталья Иванова', 'Matlagning med Łukasz', 'Γιώργος Παπαδόπουλος', 'Nguyễn Thị Hằng']);
  });

  it('the access log: users and clients', async () => {
    const rows = NAMES.map((name, i) => ({
      id: String(100 + i),
      at: '2026-12-01T12:00:00.000Z',
      action: 'read' as const,
      outcome: 'success' as const,
      errorCode: null,
      actorHsaId: 'SE2321000131-P000000000101',
      actorName: name,
      client: { id: client.id, personnummer: client.personnummer, name: NAMES[(i + 1) % NAMES.length]! },
      unitName: 'Hemtjänst Majorna',
      recordType: 'journal',
      workstation: 'WS-12',
    }));
    const text = await pdfText(await logSearchPdf(rows, 'Sökte efter användaren Łukasz Wiśniewski', { printedBy: 'Şahin Yılmaz', printedAt }));
    expectNames(text, NAMES);
    expect(text).toContain('Sökte efter användaren Łukasz Wiśniewski');
  });
});
