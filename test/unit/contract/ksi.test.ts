import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertKsiInList,
  emptyPlanContent,
  exampleKsiList,
  isKsiCodeForm,
  ksiIndex,
  ksiLabel,
  KsiListError,
  ksiListProblem,
  ksiListSource,
  Mutation,
  parseKsiCsv,
  PlanContent,
} from '#contract';

/** Codes of the real form (seen in Socialstyrelsen's material); the titles here are the tests' own. */
const REAL = ['SIB RC ZZ', 'SME PH ZZ', 'SNH RB ZZ', 'SMB RB ZZ'];

const problem = (text: string) => {
  try {
    parseKsiCsv(text);
  } catch (e) {
    expect(e).toBeInstanceOf(KsiListError);
    return { line: (e as KsiListError).line, message: (e as Error).message };
  }
  throw new Error('parsed');
};

describe('a KSI code’s form', () => {
  it('takes real KSI codes (three space-separated groups) and the older sample form, nothing else', () => {
    for (const c of [...REAL, 'PMB.AA']) expect(isKsiCodeForm(c), c).toBe(true);
    for (const c of ['smb rb zz', 'SMB  RB ZZ', ' SMB RB ZZ', 'SMB RB ZZ ', 'XYZ nonsense', 'A', '', 'SMB\tRB ZZ', 'SMB RB ZZ QQ RR']) expect(isKsiCodeForm(c), c).toBe(false);
  });

  it('a saved plan may carry a real code or an old one (so plans saved before still validate), and the push schema too', () => {
    const content = (ksiCode: string) => ({ ...emptyPlanContent(), activities: [{ id: randomUUID(), lifeArea: null, what: 'Stöd', who: 'Undersköterska', how: '', when: '', ksiCode }] });
    expect(PlanContent.safeParse(content('SMB RB ZZ')).success).toBe(true);
    expect(PlanContent.safeParse(content('PMB.AA')).success).toBe(true);
    expect(PlanContent.safeParse(content('xyz nonsense')).error?.issues[0]?.message).toMatch(/KSI-koden ska vara tre grupper/);
    const push = (code: string) => Mutation.safeParse({ mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'plan.save_draft', record: { id: randomUUID(), clientId: randomUUID(), baseRevision: 0, basedOnVersionId: null, content: content(code) } });
    // Form only: whether the code is in the organisation's list is the server's rule (its KSI_LIST_FILE).
    expect(push('SNH RB ZZ').success).toBe(true);
    expect(push('XYZ-nonsense').success).toBe(false);
  });
});

describe('the check against a list', () => {
  const index = ksiIndex({ source: 'file', fileName: 'ksi.csv', entries: [{ code: 'SMB RB ZZ', title: 'Titel ett' }] });
  it('names the first activity whose code is outside the list, in Swedish; none or a listed code passes', () => {
    expect(ksiListProblem([{ ksiCode: null }, { ksiCode: 'SMB RB ZZ' }], index)).toBeNull();
    expect(ksiListProblem([{ ksiCode: 'SMB RB ZZ' }, { ksiCode: 'PMB.AA' }], index)).toBe('KSI-koden PMB.AA (aktivitet 2) finns inte i KSI-listan. Välj en kod ur listan eller ingen.');
    expect(() => assertKsiInList([{ ksiCode: 'SIB RC ZZ' }], index)).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/SIB RC ZZ \(aktivitet 1\)/) }));
  });
  it('labels with the title; a code outside the list as it is', () => {
    expect(ksiLabel('SMB RB ZZ', index)).toBe('SMB RB ZZ – Titel ett');
    expect(ksiLabel('PMB.AA', index)).toBe('PMB.AA');
  });
  it('the example list says it is not Socialstyrelsen’s', () => {
    expect(exampleKsiList().source).toBe('example');
    expect(ksiListSource(exampleKsiList())).toBe('KSI-listan: exempellista — inte Socialstyrelsens (1 kod)');
  });
});

describe('parseKsiCsv: Socialstyrelsen’s list as IT saves it from Excel', () => {
  it('reads ; separated with a BOM and CRLF, the header among other columns, normalising the code’s spaces', () => {
    const text = '\uFEFFNivå;Kod;Benämning;Beskrivning\r\n1;SIB RC ZZ;Första titeln;x\r\n1; SME\u00a0PH  ZZ ;Andra titeln;\r\n';
    expect(parseKsiCsv(text, 'ksi.csv')).toEqual({
      source: 'file',
      fileName: 'ksi.csv',
      entries: [
        { code: 'SIB RC ZZ', title: 'Första titeln' },
        { code: 'SME PH ZZ', title: 'Andra titeln' },
      ],
    });
  });

  it('reads , separated with quoted fields holding commas, quotes and a line break', () => {
    const text = 'KSI-kod,Titel\n"SNH RB ZZ","Stöd, med ""citat"" och\nradbrytning"\nSMB RB ZZ,Enkel\n';
    expect(parseKsiCsv(text).entries).toEqual([
      { code: 'SNH RB ZZ', title: 'Stöd, med "citat" och radbrytning' },
      { code: 'SMB RB ZZ', title: 'Enkel' },
    ]);
  });

  it('reads tab separated, skips a title row above the header and empty rows, takes "Namn" and lower-case codes', () => {
    const text = 'KSI 2022\t\t\n\nkod\tnamn\nsmb rb zz\tEtt\n\t\n\t \nSIB RC ZZ\tTvå\n';
    expect(parseKsiCsv(text).entries.map((e) => e.code)).toEqual(['SMB RB ZZ', 'SIB RC ZZ']);
  });

  it('a ; file whose titles hold commas is still read as ; separated', () => {
    expect(parseKsiCsv('Kod;Benämning\nSMB RB ZZ;Stöd, hjälp, och mer\n').entries[0]!.title).toBe('Stöd, hjälp, och mer');
  });

  it('refuses what is not a KSI list, naming the line', () => {
    expect(problem('Code;Title\nSMB RB ZZ;x\n')).toEqual({ line: 0, message: expect.stringMatching(/hittar ingen rubrikrad med en kolumn "Kod"/) });
    expect(problem('Kod;Benämning\nSMB RB ZZ;Ett\nSMB-RB-ZZ-XYZ nonsense;Två\n')).toEqual({ line: 3, message: expect.stringMatching(/^KSI-listan, rad 3: "SMB-RB-ZZ-XYZ NONSENSE" är inte en KSI-kod/) });
    expect(problem('Kod;Benämning\nSMB RB ZZ;Ett\n\nSMB RB ZZ;Igen\n')).toEqual({ line: 4, message: 'KSI-listan, rad 4: SMB RB ZZ finns redan på rad 2.' });
    expect(problem('Kod;Benämning\nSMB RB ZZ;\n')).toEqual({ line: 2, message: expect.stringMatching(/benämningen av SMB RB ZZ saknas/) });
    expect(problem('Kod;Benämning\n;Titel utan kod\n')).toEqual({ line: 2, message: 'KSI-listan, rad 2: koden saknas.' });
    expect(problem('Kod;Benämning\n"SMB RB ZZ;Ett\n')).toEqual({ line: 2, message: expect.stringMatching(/citattecken/) });
    expect(problem('Kod;Benämning\n')).toEqual({ line: 0, message: expect.stringMatching(/inga koder/) });
    expect(problem('Kod;Ben\uFFFDmning\nSMB RB ZZ;x\n')).toEqual({ line: 0, message: expect.stringMatching(/inte UTF-8/) });
    expect(problem('')).toEqual({ line: 0, message: expect.stringMatching(/rubrikrad/) });
  });

  it('counts lines inside a quoted field, so the line named is the file’s', () => {
    expect(problem('Kod;Benämning\nSMB RB ZZ;"två\nrader"\nnonsense!;x\n').line).toBe(4);
  });
});
