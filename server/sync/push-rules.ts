import type { Mutation } from '#contract';
import type { KindDecision, KindWrite, MutationRules, PushRules, RuleContext, SharedKeys, SharedState } from './kind';
import { refused, SHARED_MESSAGES } from './kind';

export type { RuleContext } from './kind';

/**
 * The rules of a push (docs/sync.md, the table of refusals), without I/O: each mutation is decided
 * by its kind's rules (server/<feature>/sync.ts) over the state the batch loaded
 * (server/sync/push-state.ts), in order, and the state then takes in what the decision wrote, so a
 * mutation sees the ones before it in the batch (an entry created earlier can be corrected or
 * marked erroneous later; an id used twice conflicts, across kinds). A decision is a refusal,
 * final, or a write that push-writes.ts executes. This module names no kind: it loops over the
 * kinds handed to `pushRules` (server/kinds.ts, by server/app.ts).
 */

type PushOf<K> = K extends { push: PushRules<infer S, infer Keys, infer W> } ? { state: S; keys: Keys; write: W; messages: K['push']['messages'] } : never;
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** What the rules know of the database for one batch (and, as the batch is decided, of its own writes). */
export type BatchStateOf<Ks extends readonly unknown[]> = SharedState & Intersect<PushOf<Ks[number]>['state']>;
/** The ids a batch's state is loaded for. */
export type StateKeysOf<Ks extends readonly unknown[]> = { [P in keyof (SharedKeys & Intersect<PushOf<Ks[number]>['keys']>)]: string[] };
/** A write, in batch order; consecutive writes of one kind become one statement. */
export type WriteOf<Ks extends readonly unknown[]> = PushOf<Ks[number]>['write'];
export type MessagesOf<Ks extends readonly unknown[]> = typeof SHARED_MESSAGES & Intersect<PushOf<Ks[number]>['messages']>;

type AnyRules = MutationRules<Mutation, object, Record<string, Set<string>>, KindWrite>;
type AnyPush = PushRules<object, Record<string, Set<string>>, KindWrite>;

/** The push rules of a list of kinds: what push.ts, push-state.ts and push-writes.ts run. */
export interface PushRegistry<Ks extends readonly unknown[] = readonly unknown[]> {
  /** Every refusal's Swedish text: the shared ones and each kind's. */
  messages: MessagesOf<Ks>;
  /** The kinds with pushed mutations. */
  kinds: readonly AnyPush[];
  /** The rules of a mutation type; every type in the contract has one (test/unit/sync/kinds-suite.ts). */
  rulesOf(type: string): AnyRules;
  /** A batch's state before loading: the shared part and every kind's. */
  emptyState(): BatchStateOf<Ks>;
  stateKeys(mutations: readonly Mutation[]): StateKeysOf<Ks>;
  decide(m: Mutation, state: BatchStateOf<Ks>, ctx: RuleContext): KindDecision<WriteOf<Ks>>;
  /** Decides the batch in order; `state` takes in each write, so it ends as the batch leaves the database. */
  decideBatch(mutations: readonly Mutation[], state: BatchStateOf<Ks>, ctx: RuleContext): KindDecision<WriteOf<Ks>>[];
}

export function pushRules<const Ks extends readonly object[]>(list: Ks): PushRegistry<Ks> {
  const pushes = list.flatMap((k) => ('push' in k && k.push ? [k.push as AnyPush] : []));
  const rules = new Map<string, AnyRules>(pushes.flatMap((p) => Object.entries(p.mutations) as [string, AnyRules][]));
  const remember = new Map<string, AnyPush['remember']>(pushes.flatMap((p) => Object.keys(p.writers).map((kind) => [kind, p.remember] as const)));
  const rulesOf = (type: string): AnyRules => {
    const r = rules.get(type);
    if (!r) throw new Error(`push: no rules for ${type}`);
    return r;
  };
  const decide = (m: Mutation, state: BatchStateOf<Ks>, ctx: RuleContext) => {
    const r = rulesOf(m.type);
    // Below client data's assurance level (issue 29) only what the kind's rules find client-free
    // in the stored records; the rest is held (push.ts stores no answer for it).
    if (ctx.clientData === false && !r.clientFree?.(m as never, state as never)) return refused<WriteOf<Ks>>(m, 'LOA_TOO_LOW', SHARED_MESSAGES.loaTooLow);
    return r.decide(m as never, state as never, ctx) as KindDecision<WriteOf<Ks>>;
  };
  return {
    messages: Object.assign({}, SHARED_MESSAGES, ...pushes.map((p) => p.messages)) as MessagesOf<Ks>,
    kinds: pushes,
    rulesOf,
    emptyState: () => Object.assign({ clients: new Map(), taken: new Set() }, ...pushes.map((p) => p.emptyState())) as BatchStateOf<Ks>,
    stateKeys(mutations) {
      const keys: Record<string, Set<string>> = Object.assign({ clientIds: new Set<string>(), createdIds: new Set<string>() }, ...pushes.map((p) => p.emptyKeys()));
      for (const m of mutations) rulesOf(m.type).keys(m as never, keys as never);
      return Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, [...v]])) as StateKeysOf<Ks>;
    },
    decide,
    decideBatch: (mutations, state, ctx) =>
      mutations.map((m) => {
        const decision = decide(m, state, ctx);
        if (decision.status === 'applied' && decision.write) remember.get((decision.write as KindWrite).kind)!(decision.write as KindWrite, state as never);
        return decision;
      }),
  };
}
