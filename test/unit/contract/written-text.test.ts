import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Mutation, PushRequest } from '#contract';

/** PostgreSQL cannot store NUL: a text holding it is refused when written, not at every push after. */
describe('text a user writes refuses the NUL character', () => {
  const base = { mutationId: randomUUID(), createdAt: '2026-11-23T10:00:00.000Z' };
  const note = (text: string) => ({ ...base, type: 'day_note.create', record: { id: randomUUID(), unitId: randomUUID(), clientId: null, text } });
  const entry = (text: string) => ({
    ...base,
    type: 'journal_entry.create',
    record: { id: randomUUID(), clientId: randomUUID(), eventDate: '2026-11-23', text, lifeArea: null, assignmentId: null, correctsId: null },
  });
  const mark = (reason: string) => ({ ...base, type: 'journal_entry.mark_erroneous', record: { id: randomUUID(), reason } });

  it('in day notes, journal entries and erroneous-mark reasons, with a Swedish message', () => {
    for (const m of [note('larmet\u0000testat'), entry('\u0000'), mark('fel\u0000brukare')]) {
      const r = Mutation.safeParse(m);
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.message)).toContain('Texten innehåller ett otillåtet tecken (NUL).');
    }
    expect(PushRequest.safeParse({ mutations: [note('ok'), note('inte\u0000ok')] }).success).toBe(false);
  });

  it('while other control characters a note may hold (new lines, tabs) and å ä ö stay allowed', () => {
    for (const m of [note('Rad ett\nRad två\tmed tabb'), entry('Brukaren åt gröt och drack kaffe.'), mark('Fel brukare – ändrat')]) {
      expect(Mutation.safeParse(m).success).toBe(true);
    }
  });
});
