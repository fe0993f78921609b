import type { z } from 'zod';

/**
 * A quicker check of data against a zod schema, for the pull page's thousands of records
 * (pull-page-parse.ts): `true` only when the schema would accept the value AND give it back
 * unchanged (same fields, same values), so the value can be used as it is. `false` says nothing:
 * the caller then asks the schema itself, which decides and says why.
 *
 * Built by walking the schema's definition. Objects (every field required, none unknown, in the
 * shape's order), nullable, discriminated unions and arrays are walked here; every leaf (a string
 * with its formats, lengths and refinements, a number, an enum, a literal, a boolean) is checked by
 * zod's own check of that leaf, so what a leaf accepts is zod's decision, not a copy of it (a
 * format's pattern is tested directly, as zod's own check does). A construct not listed here
 * (optional fields, transforms, defaults, pipes, object-level refinements, records, plain unions,
 * …) has no quick check: `quickCheck` returns null for it, and a discriminated union of many kinds
 * gets quick checks for the kinds it can walk. What zod 4 spends per record is mostly its object
 * machinery (new objects, issue bookkeeping per field); this costs about half of it (docs/sync.md,
 * "Checking a page").
 */
export type QuickCheck = (value: unknown) => boolean;

type Check = { _zod: { def: { check?: string; format?: string; pattern?: RegExp; when?: (p: Payload) => boolean }; check: (p: Payload) => unknown } };
type Payload = { value: unknown; issues: unknown[] };
type Internals = {
  def: Record<string, unknown> & { type: string; checks?: Check[] };
  traits: Set<string>;
  run: (payload: { value: unknown; issues: unknown[] }, ctx: { async: false }) => unknown;
  propValues?: Record<string, Set<unknown>>;
  optin?: string;
  optout?: string;
};
const internals = (schema: unknown): Internals => (schema as { _zod: Internals })._zod;

const LEAVES = new Set(['string', 'number', 'boolean', 'enum', 'literal']);
const CTX = { async: false } as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The quick check of `schema`, or null when it has a part this module does not walk. */
export function quickCheck(schema: z.ZodType): QuickCheck | null {
  return compile(schema);
}

function compile(schema: unknown): QuickCheck | null {
  const zod = internals(schema);
  const def = zod.def;
  if (def.type === 'string') return string(schema as Check, zod);
  if (LEAVES.has(def.type)) return leaf(zod);
  switch (def.type) {
    case 'nullable': {
      const inner = compile(def.innerType);
      return inner && ((v) => v === null || inner(v));
    }
    case 'object':
      return object(def);
    case 'array': {
      if ((def.checks as unknown[] | undefined)?.length) return null;
      const element = compile(def.element);
      return element && ((v) => Array.isArray(v) && v.every((e) => element(e)));
    }
    case 'union':
      return discriminated(zod);
    default:
      return null;
  }
}

/** A leaf as zod checks it (its type, formats, lengths, refinements): accepted with no issue and not changed (no coercion or transform). */
function leaf(zod: Internals): QuickCheck | null {
  if (zod.def.coerce) return null;
  return (value) => {
    const out = zod.run({ value, issues: [] }, CTX) as { value: unknown; issues: unknown[] } | Promise<unknown>;
    return !(out instanceof Promise) && out.issues.length === 0 && out.value === value;
  };
}

/** Formats whose check is their pattern alone ($ZodCheckStringFormat), not one a subclass writes itself. */
const PATTERN_FORMATS = new Set(['uuid', 'date', 'datetime']);

/**
 * A string: its type, then each of its checks (the format a string-format schema is, its lengths,
 * its refinements) as zod runs them, all of which must pass. A format's pattern is tested directly;
 * the other checks are zod's own check functions. (zod's runner adds nothing to this when every
 * check passes: it only skips checks after one failed, and a failure is `false` here anyway.)
 */
function string(schema: Check, zod: Internals): QuickCheck | null {
  if (zod.def.coerce) return null;
  const all = [...(zod.traits.has('$ZodCheck') ? [schema] : []), ...(zod.def.checks ?? [])];
  const checks = all.map((ch): QuickCheck => {
    const d = ch._zod.def;
    const pattern = d.pattern;
    if (d.check === 'string_format' && pattern && d.format && PATTERN_FORMATS.has(d.format) && !d.when) {
      return (v) => {
        pattern.lastIndex = 0;
        return pattern.test(v as string);
      };
    }
    return (v) => {
      const payload: Payload = { value: v, issues: [] };
      if (d.when && !d.when(payload)) return true;
      const out = ch._zod.check(payload);
      return !(out instanceof Promise) && payload.issues.length === 0 && payload.value === v;
    };
  });
  return (v) => typeof v === 'string' && checks.every((c) => c(v));
}

/** A plain object: exactly the shape's fields, in its order (an unknown one would be dropped by zod, and zod's copy has the shape's order), each checked. */
function object(def: Internals['def']): QuickCheck | null {
  if (def.catchall !== undefined || (def.checks as unknown[] | undefined)?.length) return null;
  const shape = def.shape as Record<string, unknown>;
  const fields: [string, QuickCheck][] = [];
  for (const [key, field] of Object.entries(shape)) {
    const f = internals(field);
    if (f.optin === 'optional' || f.optout === 'optional') return null;
    const check = compile(field);
    if (!check) return null;
    fields.push([key, check]);
  }
  const n = fields.length;
  return (v) => {
    if (!isPlainObject(v)) return false;
    // The shape's fields in the shape's order and nothing else: zod's copy would be the same
    // object, down to the order JSON.stringify writes its fields in (the store keeps some as JSON).
    let i = 0;
    for (const k in v) {
      if (i === n || k !== fields[i]![0] || !Object.hasOwn(v, k)) return false;
      i++;
    }
    if (i !== n) return false;
    for (i = 0; i < n; i++) if (!fields[i]![1](v[fields[i]![0]])) return false;
    return true;
  };
}

/**
 * A discriminated union: the option its discriminator names (zod picks the same one: the values
 * are disjoint, which zod enforces), checked; options this module cannot walk have no quick check.
 */
function discriminated(zod: Internals): QuickCheck | null {
  const discriminator = zod.def.discriminator as string | undefined;
  if (discriminator === undefined) return null; // a plain union takes its first match: not walked
  const byValue = new Map<unknown, QuickCheck>();
  for (const option of zod.def.options as unknown[]) {
    const values = internals(option).propValues?.[discriminator];
    if (!values) return null;
    const check = compile(option);
    if (!check) continue;
    for (const value of values) byValue.set(value, check);
  }
  if (byValue.size === 0) return null;
  return (v) => {
    if (!isPlainObject(v)) return false;
    const check = byValue.get(v[discriminator]);
    return check !== undefined && check(v);
  };
}
