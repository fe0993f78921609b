import type { Queryable } from '../db/types';
import type { KindWrite, WriteContext } from './kind';
import type { PushRegistry } from './push-rules';

export type { WriteContext } from './kind';

/**
 * Executes the writes the push rules decided (push-rules.ts), in batch order: a run of
 * consecutive writes of one kind is one statement over arrays (each kind's `writers`: `unnest …
 * WITH ORDINALITY`, inserted in that order, so the change trigger, which runs per row, draws the
 * seqs in batch order). Every statement must touch exactly the rows it was given; fewer (an id
 * inserted meanwhile by another transaction) throws, and the caller falls back to one mutation at a time.
 */
type Writer = (tx: Queryable, writes: KindWrite[], ctx: WriteContext) => Promise<{ id: string }[]>;

/** Runs of consecutive writes of one kind, in order. */
export function runsOfOneKind<W extends KindWrite>(writes: readonly W[]): W[][] {
  const runs: W[][] = [];
  for (const w of writes) {
    const last = runs.at(-1);
    if (last && last[0]!.kind === w.kind) last.push(w);
    else runs.push([w]);
  }
  return runs;
}

export async function executeWrites(tx: Queryable, rules: PushRegistry, writes: readonly KindWrite[], ctx: WriteContext): Promise<void> {
  for (const run of runsOfOneKind(writes)) {
    const kind = run[0]!.kind;
    const writer = rules.kinds.find((k) => Object.hasOwn(k.writers, kind))?.writers[kind] as Writer | undefined;
    if (!writer) throw new Error(`push: no writer for ${run[0]!.kind}`);
    const rows = await writer(tx, run, ctx);
    if (rows.length !== run.length) {
      throw new Error(`push: ${run[0]!.kind} wrote ${rows.length} of ${run.length} rows (another transaction wrote one of them meanwhile?)`);
    }
  }
}
