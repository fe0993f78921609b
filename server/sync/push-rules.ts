import type { Mutation } from '#contract';
import type { KindDecision, MutationRules, PushRules, RuleContext, SharedKeys, SharedState } from './kind';
import { SHARED_MESSAGES } from './kind';
import { SERVER_KINDS } from '../kinds';

export type { RuleContext } from './kind';

/**
 * The rules of a push (docs/sync.md, the table of refusals), without I/O: each mutation is decided
 * by its kind's rules (server/<feature>/sync.ts) over the state the batch loaded
 * (server/sync/push-state.ts), in order, and the state then takes in what the decision wrote, so a
 * mutation sees the ones before it in the batch (an entry created earlier can be corrected or
 * marked erroneous later; an id used twice conflicts, across kinds). A decision is a refusal,
 * final, or a write that push-writes.ts executes. This module names no kind: it loops over the
 * registry (kinds.ts).
 */

type Kinds = (typeof SERVER_KINDS)[number];
type PushOf<K> = K extends { push: PushRules<infer S, infer Keys, infer W> } ? { state: S; keys: Keys; write: W; messages: K['push']['messages'] } : never;
type Pushes = PushOf<Kinds>;
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** What the rules know of the database for one batch (and, as the batch is decided, of its own writes). */
export type BatchState = SharedState & Intersect<Pushes['state']>;
/** The ids a batch's state is loaded for. */
export type StateKeys = { [P in keyof (SharedKeys & Intersect<Pushes['keys']>)]: string[] };
/** A write, in batch order; consecutive writes of one kind become one statement. */
export type Write = Pushes['write'];
export type Decision = KindDecision<Write>;

const PUSHES = SERVER_KINDS.flatMap((k) => ('push' in k && k.push ? [k.push as PushRules<object, Record<string, Set<string>>, Write>] : []));
const RULES = new Map<string, MutationRules<Mutation, object, Record<string, Set<string>>, Write>>(
  PUSHES.flatMap((p) => Object.entries(p.mutations) as [string, MutationRules<Mutation, object, Record<string, Set<string>>, Write>][]),
);
const REMEMBER = new Map<string, PushRules<object, Record<string, Set<string>>, Write>['remember']>(
  PUSHES.flatMap((p) => Object.keys(p.writers).map((kind) => [kind, p.remember] as const)),
);

export const MESSAGES = Object.assign({}, SHARED_MESSAGES, ...PUSHES.map((p) => p.messages)) as typeof SHARED_MESSAGES & Intersect<Pushes['messages']>;

/** The rules of a mutation type; every type in the contract has one (test/unit/sync/kinds.test.ts). */
export function rulesOf(type: string): MutationRules<Mutation, object, Record<string, Set<string>>, Write> {
  const rules = RULES.get(type);
  if (!rules) throw new Error(`push: no rules for ${type}`);
  return rules;
}

/** A batch's state before loading: the shared part and every kind's. */
export function emptyState(): BatchState {
  return Object.assign({ clients: new Map(), taken: new Set() }, ...PUSHES.map((p) => p.emptyState())) as BatchState;
}

export function stateKeys(mutations: readonly Mutation[]): StateKeys {
  const keys: Record<string, Set<string>> = Object.assign({ clientIds: new Set<string>(), createdIds: new Set<string>() }, ...PUSHES.map((p) => p.emptyKeys()));
  for (const m of mutations) rulesOf(m.type).keys(m as never, keys as never);
  return Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, [...v]])) as StateKeys;
}

export function decide(m: Mutation, state: BatchState, ctx: RuleContext): Decision {
  return rulesOf(m.type).decide(m as never, state, ctx);
}

/** Decides the batch in order; `state` takes in each write, so it ends as the batch leaves the database. */
export function decideBatch(mutations: readonly Mutation[], state: BatchState, ctx: RuleContext): Decision[] {
  return mutations.map((m) => {
    const decision = decide(m, state, ctx);
    if (decision.status === 'applied' && decision.write) REMEMBER.get(decision.write.kind)!(decision.write, state);
    return decision;
  });
}

/** The kinds with pushed mutations (push-state.ts, push-writes.ts). */
export const PUSH_KINDS = PUSHES;
