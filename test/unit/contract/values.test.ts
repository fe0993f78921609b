import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiContract, Mutation } from '#contract';
import { SendAssignment } from '#contract';

/**
 * The value types both sides parse with (contract/values.ts, issue 19 points 4–6): what the server
 * refuses, the workstation refuses before it queues anything, so a mutation that can never be
 * pushed (year 0000 — PostgreSQL refuses it — an 1850 event date, blank text) is never queued.
 */
describe('dates and texts the server would refuse are refused by the workstation first', () => {
  const create = (over: Record<string, unknown>) =>
    apiContract.journal.create.input.safeParse({ clientId: randomUUID(), eventDate: '2026-11-23', text: 'Promenad', ...over });

  it('journal.create: year 0000, 1850, an impossible day and blank or NUL text', () => {
    expect(create({}).success).toBe(true);
    for (const over of [{ eventDate: '0000-01-01' }, { eventDate: '1850-06-01' }, { eventDate: '2026-02-30' }, { text: '  \n ' }, { text: 'a\u0000b' }]) {
      expect(create(over).success, JSON.stringify(over)).toBe(false);
    }
  });

  it('the push mutation: the same bounds', () => {
    const entry = (eventDate: string, text = 'Promenad') => ({
      mutationId: randomUUID(),
      createdAt: '2026-11-23T10:00:00.000Z',
      type: 'journal_entry.create',
      record: { id: randomUUID(), clientId: randomUUID(), eventDate, text, lifeArea: null, assignmentId: null, correctsId: null },
    });
    expect(Mutation.safeParse(entry('2026-11-23')).success).toBe(true);
    expect(Mutation.safeParse(entry('0000-01-01')).success).toBe(false);
    expect(Mutation.safeParse(entry('1850-01-01')).success).toBe(false);
    expect(Mutation.safeParse(entry('2026-11-23', '   ')).success).toBe(false);
    expect(Mutation.safeParse({ ...entry('2026-11-23'), createdAt: '0000-01-01T00:00:00Z' }).success).toBe(false);
  });

  it("the case officer's assignment: NUL in free text and references, year 0000", () => {
    const send = (over: Record<string, unknown>) =>
      SendAssignment.safeParse({
        client: { clientId: randomUUID() },
        decision: { reference: 'BIS-1', date: '2026-11-01' },
        services: [{ name: 'Hemtjänst', grantedHours: 10, per: 'month' }],
        startDate: '2026-12-01',
        ...over,
      });
    expect(send({}).success).toBe(true);
    expect(send({ freeText: 'a\u0000' }).success).toBe(false);
    expect(send({ decision: { reference: 'B\u0000', date: '2026-11-01' } }).success).toBe(false);
    expect(send({ startDate: '0000-01-01' }).success).toBe(false);
  });

  it('a lone UTF-16 surrogate (jsonb refuses it) is refused like NUL; a paired one (an emoji) is text', () => {
    const send = (code: string) =>
      SendAssignment.safeParse({
        client: { clientId: randomUUID() },
        decision: { reference: 'BIS-1', date: '2026-11-01' },
        services: [{ code, name: 'Hemtjänst', grantedHours: 10, per: 'month' }],
        startDate: '2026-12-01',
      });
    expect(send('\ud800').success).toBe(false);
    expect(send('a\udc00').success).toBe(false);
    expect(send('\u{1F600}').success).toBe(true);
  });
});
