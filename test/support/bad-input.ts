/**
 * fast-check arbitraries of almost-valid input for a zod schema: the schema's JSON Schema is
 * walked and every leaf is drawn from valid values (so the request gets past parsing often
 * enough to reach the handler and the database) mixed with the values that broke the server
 * before: NUL bytes, year 0000 and 1850, impossible days, blank text, forged cursors, wrong types.
 */
import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
};

const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');

/** The inputs that answered 500 (issue 19) and their relatives. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '   \n\t ',
  '\u0000',
  'text med \u0000 NUL',
  '0000-01-01',
  '1850-06-01',
  '9999-12-31',
  '2024-02-30',
  '0000-01-01T00:00:00Z',
  '1850-01-01T00:00:00+01:00',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'not-a-uuid',
  '\ud800',
  "'; DROP TABLE journal_entries; --",
  '%',
  '_\\',
  'x'.repeat(5_000),
  'å'.repeat(300),
  // forged list cursors: every sort, parts that do not cast
  cursor(['updated_desc', 'igår', '00000000-0000-0000-0000-000000000000']),
  cursor(['updated_desc', '0000-01-01 00:00:00+00', 'nope']),
  cursor(['updated_desc', '2025-01-01 25:61:00+00', '00000000-0000-0000-0000-000000000000']),
  cursor(['start_asc', '0000-01-01', '00000000-0000-0000-0000-000000000000']),
  cursor(['start_desc', '2024-02-30', '00000000-0000-0000-0000-000000000000']),
  cursor(['client_asc', 'a\u0000', 'b', '00000000-0000-0000-0000-000000000000']),
  cursor(['received_desc', '2025-01-01T00:00:00Z', 'x\u0000']),
  cursor(['updated_desc']),
  'bm90IGpzb24',
];

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 1e308, 2 ** 53 + 1, 0.5, [], {}, [[[[]]]], { __proto__: { x: 1 } }),
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

export interface Pools {
  /** Real ids of the database, so requests reach rows that exist: by property name (clientId, unitId), and all of them. */
  byKey: Record<string, string[]>;
  uuids: string[];
}

const uuidArb = (pools: Pools, key: string) =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...(pools.byKey[key] ?? pools.uuids)) }, { weight: 1, arbitrary: fc.uuid() });

const dateArb = fc.oneof(
  { weight: 8, arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: fc.constantFrom('0000-01-01', '1850-06-01', '9999-12-31', '2024-02-29', '1900-01-01') },
);
const dateTimeArb = fc.oneof(
  { weight: 8, arbitrary: fc.date({ min: new Date(Date.now() - 20 * 86_400_000), max: new Date(Date.now() + 86_400_000), noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('0000-01-01T00:00:00Z', '1850-01-01T00:00:00Z', '9999-12-31T23:59:59Z') },
);
const textArb = (max = 200) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: Math.min(max, 40) }) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  );

function leaf(s: JsonSchema, pools: Pools, key: string): fc.Arbitrary<unknown> {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'uuid') return uuidArb(pools, key);
      if (s.format === 'date') return dateArb;
      if (s.format === 'date-time') return dateTimeArb;
      return textArb(s.maxLength);
    case 'integer':
      return fc.oneof(fc.integer({ min: s.minimum ?? -10, max: Math.min(s.maximum ?? 1000, 1000) }), fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53 + 1));
    case 'number':
      return fc.oneof(fc.double({ min: 0, max: s.maximum ?? 1000, noNaN: true }), fc.constantFrom(-1, 0, 1e308, 1e-300));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return junk;
  }
}

function valueOf(s: JsonSchema, pools: Pools, depth: number, key = ''): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives && alternatives.length > 0) arb = fc.oneof(...alternatives.map((a) => valueOf(a, pools, depth, key)));
  else if (s.const !== undefined) arb = fc.constant(s.const);
  else if (s.enum) arb = fc.constantFrom(...s.enum);
  else if (s.type === 'object' || s.properties) {
    const shape = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, valueOf(v, pools, depth + 1, k)]));
    arb = fc.record(shape, { requiredKeys: (s.required ?? []).filter((k) => k in shape) }) as fc.Arbitrary<unknown>;
  } else if (s.type === 'array') {
    const min = Math.min(s.minItems ?? 0, 3);
    arb = fc.array(s.items ? valueOf(s.items, pools, depth + 1, key) : junk, { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? 3, 3)) });
  } else arb = leaf(s, pools, key);
  // Now and then any node is replaced by a wrong type (more often near the leaves).
  return fc.oneof({ weight: 40 + 4 * depth, arbitrary: arb }, { weight: 1, arbitrary: junk });
}

/** Almost-valid values of `schema` (its input side). */
export function badInput(schema: z.ZodType, pools: Pools): fc.Arbitrary<unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return valueOf(json, pools, 0);
}

/** A query string from an object: arrays comma-separated, everything else as its text. */
export function queryString(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) params.append(k, Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return params.toString();
}
