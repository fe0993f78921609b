import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppFailure, Change, PullResponse } from '#contract';
import { parsePullPage } from '../../../main/store/pull-page-parse';
import { quickCheck } from '../../../main/store/quick-check';
import { client, dayNote, del, journalEntry, unit, upsert } from './fixtures';

/**
 * The quick check of a pull page's changes (main/store/quick-check.ts) may only ever say "the
 * contract takes this as it is": whatever it passes, the contract's schema must pass too, with the
 * same data. Checked here over valid changes of the hot kinds and hundreds of broken ones, each
 * broken in one place (every field given every kind of wrong value, fields missing and added).
 */
const quick = quickCheck(Change)!;

const home = unit('Hemtjänst Väst');
const anna = client(home.unitId, { givenName: 'Anna' });
const valid = (): Change[] => [
  upsert('journal_entry', journalEntry(anna)),
  upsert('journal_entry', journalEntry(anna, { lifeArea: null, assignmentId: randomUUID(), correctsId: randomUUID() })),
  upsert('journal_entry', journalEntry(anna, { erroneous: { markedAt: '2024-05-02T09:00:00.000Z', markedBy: { staffId: randomUUID(), hsaId: 'SE1', name: 'Bo', title: 'SSK' }, reason: 'Fel brukare' } })),
  upsert('day_note', dayNote(home.unitId)),
  upsert('day_note', dayNote(home.unitId, { clientId: anna.id, summarisedAt: '2024-05-03T10:00:00+02:00' })),
  upsert('client', anna),
  del('journal_entry', randomUUID(), home.unitId),
];

/** Values each wrong somewhere (or right in an unusual way) for a field of any type. */
const WRONG: unknown[] = [
  undefined, null, 0, -1, 1.5, 2 ** 60, Number.NaN, true, '', ' ', 'x', [], {}, [1], { a: 1 },
  'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '6ba7b810-9dad-01d1-80b4-00c04fd430c8',
  '6BA7B810-9DAD-11D1-80B4-00C04FD430C8', '6ba7b810-9dad-11d1-80b4-00c04fd430c8 ', '2024-02-30', '2024-02-29', '1850-01-01', '2200-01-01',
  '2024-05-01T08:00:00Z', '2024-05-01T08:00:00', '2024-05-01T24:00:00Z', '1899-12-31T23:59:59Z', '2024-05-01T08:00:00.123456+01:00',
  'self_care', 'SELF_CARE', 'upsert', 'delete', 'journal_entry', 'day_note', 'x'.repeat(4_001), 'x'.repeat(20_001), '😀'.repeat(4_000), '😀'.repeat(20_000),
];

/** Every path to a leaf or object of `v`. */
function paths(v: unknown, at: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null) return [at];
  return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
}
const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
function setAt(v: unknown, path: string[], value: unknown, remove = false): unknown {
  const copy = clone(v) as Record<string, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (remove) delete o[last];
  else o[last] = value;
  return copy;
}

function broken(): unknown[] {
  const out: unknown[] = [];
  for (const change of valid()) {
    for (const path of paths(change)) {
      if (path.length === 0) continue;
      for (const w of WRONG) out.push(setAt(change, path, w));
      out.push(setAt(change, path, undefined, true));
      out.push(setAt(change, [...path.slice(0, -1), 'extra'], 'x'));
    }
    out.push(JSON.parse(JSON.stringify(change).replace(/^\{/, '{"__proto__":{"x":1},')));
    // The same fields in another order: the schema takes it (and reorders it), the quick check leaves it to the schema.
    const { seq, ...rest } = change;
    out.push({ ...rest, seq });
    if (change.op === 'upsert') out.push({ ...change, record: Object.fromEntries(Object.entries(change.record).reverse()) });
  }
  return out;
}

describe('the quick check of pull changes', () => {
  it('passes valid changes of the hot kinds as they are', () => {
    for (const c of valid()) expect(quick(clone(c)), JSON.stringify(c)).toBe(true);
  });

  it('leaves fields in another order than the schema\'s to the schema (its copy is in the schema\'s order)', () => {
    const c = upsert('day_note', dayNote(home.unitId));
    const { seq, ...rest } = c;
    expect(quick({ ...rest, seq })).toBe(false);
    expect(Change.safeParse({ ...rest, seq }).success).toBe(true);
  });

  it('passes nothing the contract refuses, and what it passes the contract gives back unchanged', () => {
    let passed = 0;
    let refused = 0;
    const all = broken();
    for (const v of all) {
      const parsed = Change.safeParse(v);
      if (!quick(v)) continue;
      passed++;
      expect(parsed.success, JSON.stringify(v).slice(0, 300)).toBe(true);
      expect(parsed.data).toStrictEqual(v);
      expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(v));
    }
    for (const v of all) if (!Change.safeParse(v).success) refused++;
    // Not vacuous: most variants are wrong (refused by both), some are right in unusual ways (passed by both).
    expect(refused).toBeGreaterThan(500);
    expect(passed).toBeGreaterThan(50);
  });

  it('has no quick check for what it does not walk (the schema decides alone)', () => {
    expect(quickCheck(z.object({ a: z.string().optional() }))).toBeNull();
    expect(quickCheck(z.object({ a: z.string() }).refine((o) => o.a !== 'x'))).toBeNull();
    expect(quickCheck(z.string().transform((s) => s.trim()))).toBeNull();
    expect(quickCheck(z.union([z.object({ a: z.string() }), z.object({ a: z.string(), b: z.string() })]))).toBeNull();
    expect(quickCheck(z.coerce.string())).toBeNull();
    // A format other than the pattern-only ones is still checked by zod's own check function.
    const email = quickCheck(z.object({ e: z.email() }))!;
    expect(email({ e: 'a@b.se' })).toBe(true);
    expect(email({ e: 'a@' })).toBe(false);
  });
});

describe('parsePullPage with the quick check', () => {
  const page = (changes: unknown[], over: Record<string, unknown> = {}) =>
    new TextEncoder().encode(JSON.stringify({ units: [home], changes, cursors: { [home.unitId]: 9 }, hasMore: false, serverTime: '2024-05-01T08:00:00.000Z', retentionDays: { day_note: 90 }, ...over }));

  it('gives what the schema gives, for a page of every kind it walks and one it does not', () => {
    const changes: unknown[] = [...valid(), { seq: 99, op: 'delete', type: 'assignment', id: randomUUID(), unitId: home.unitId }];
    const bytes = page(changes);
    const expected = PullResponse.parse(JSON.parse(new TextDecoder().decode(bytes)));
    expect(parsePullPage(bytes)).toStrictEqual(expected);
  });

  it('refuses a page with one wrong change among thousands, or a wrong envelope', () => {
    const many = Array.from({ length: 2_000 }, () => upsert('day_note', dayNote(home.unitId)));
    const bad = clone(many);
    (bad[1_234] as { record: { createdAt: string } }).record.createdAt = '1850-01-01T00:00:00Z';
    expect(() => parsePullPage(page(many))).not.toThrow();
    expect(() => parsePullPage(page(bad))).toThrow(/a change in the wrong format/);
    expect(() => parsePullPage(page(many, { cursors: { [home.unitId]: -1 } }))).toThrow(/the wrong format/);
    expect(() => parsePullPage(page(many, { units: 'x' }))).toThrow(AppFailure);
    expect(() => parsePullPage(page(many, { changes: 'x' }))).toThrow(/the wrong format/);
  });
});
