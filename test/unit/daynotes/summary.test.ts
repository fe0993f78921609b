import { describe, expect, it } from 'vitest';
import type { LifeArea } from '#contract';
import { commonArea, inPeriod, summaryText } from '../../../renderer/src/screens/daynotes/summary';

const author = { staffId: '00000000-0000-4000-8000-000000000001', name: 'Sara Nyström', title: 'Undersköterska', hsaId: 'SE2321000131-P000000000103' };
const note = (id: string, createdAt: string, text: string) => ({ id, createdAt, text, author });
const notes = [note('b', '2026-12-01T13:05:00Z', 'Promenad till affären.'), note('a', '2026-11-30T07:10:00Z', 'Duschade med hjälp.'), note('c', '2026-12-01T15:00:00Z', 'Dottern ringde.')];

describe('a summary of day notes (Sammanfatta)', () => {
  it('takes the notes of the Swedish days of the period', () => {
    expect(inPeriod(notes, '2026-12-01', '2026-12-01').map((n) => n.id)).toEqual(['b', 'c']);
  });

  it('lists the chosen notes oldest first when none has a life area', () => {
    expect(summaryText('Sammanfattning:', notes, () => null)).toBe(
      'Sammanfattning:\n2026-11-30 08:10 Sara Nyström: Duschade med hjälp.\n2026-12-01 14:05 Sara Nyström: Promenad till affären.\n2026-12-01 16:00 Sara Nyström: Dottern ringde.',
    );
  });

  it('groups them by life area when the user gave one, the rest under Övrigt', () => {
    const areas: Record<string, LifeArea> = { a: 'self_care', b: 'community_life' };
    const text = summaryText('Sammanfattning:', notes, (id) => areas[id] ?? null);
    expect(text).toMatch(/Personlig vård:\n.*Duschade/);
    expect(text.indexOf('Övrigt:')).toBeGreaterThan(text.indexOf('Promenad'));
    expect(text).toMatch(/Övrigt:\n.*Dottern ringde\.$/);
  });

  it('gives the entry a life area only when all chosen notes share it', () => {
    expect(commonArea(['a', 'b'], () => 'self_care')).toBe('self_care');
    expect(commonArea(['a', 'b'], (id) => (id === 'a' ? 'self_care' : null))).toBeNull();
  });
});
