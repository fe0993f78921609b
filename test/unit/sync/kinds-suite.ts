/**
 * The guarantees every synced record kind gets from the registry (docs/adding-a-feature.md), checked
 * for every registered kind and every mutation of the contract — a new kind is covered by adding
 * its samples below (the types refuse to compile without them), not by a new test:
 * - every kind's pull round-trips: the server's record → the feed → the store → read back, the
 *   same JSON text as the contract reads the feed (same keys in the schema's order, same values);
 * - every pushed mutation is applied at most once: pushed again, one after the other and at the
 *   same time, it answers the same and writes nothing more (no change, no access-log event);
 * - every kind is purged from the store when its unit leaves the scope, and its queued mutations
 *   become refusals (nothing of the unit is left in any table but the refusals);
 * - no kind writes note text into a log: every text carries a marker, the server logs at trace level.
 * One suite, run on embedded PGlite (test/unit/sync/kinds.test.ts) and on a real PostgreSQL server
 * (test/integration/sync/kinds.test.ts), with a real SQLCipher store.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Change as ChangeSchema, Mutation, RecordType, SYNC_KINDS, type Change, type Cursors, type MutationType, type PlanContent, API_VERSION, API_VERSION_HEADER } from '#contract';
import { openDatabase } from '../../../main/store/connection';
import { STORE_KINDS } from '../../../main/store/kinds';
import { quickCheck } from '../../../main/store/quick-check';
import { SqlStore } from '../../../main/store/sql-store';
import type { Db } from '../../../server/db/types';
import { SERVER_KINDS, SERVER_REGISTRY } from '../../../server/kinds';
import { captureStream } from '../server/helpers';
import { startSyncHarness, type SuiteDb, type SyncHarness } from '../server/sync-suite';
import { author, tempDir } from '../store/fixtures';

const quickChange = quickCheck(ChangeSchema)!;
const QUICK_KINDS = new Set<string>(['client', 'journal_entry', 'day_note']);

/** In every text a sample writes: it must never reach a log. */
export const MARKER = 'Hemligt-anteckningsmärke-7Q4';

interface SampleEnv {
  unitId: string;
  clientId: string;
  /** Free text for the sample's text fields: carries MARKER. */
  text: string;
}
const base = () => ({ mutationId: randomUUID(), createdAt: new Date().toISOString() });
const today = () => new Date().toISOString().slice(0, 10);

/**
 * One sample per mutation type of the contract: the mutations it needs first (a mark needs what it
 * marks), then the mutation itself, last. Valid on the server and in the store for `env`.
 */
export const MUTATION_SAMPLES: { [T in MutationType]: (env: SampleEnv) => [...Mutation[], Extract<Mutation, { type: T }>] } = {
  'journal_entry.create': (env) => [
    { ...base(), type: 'journal_entry.create', record: { id: randomUUID(), clientId: env.clientId, eventDate: today(), text: env.text, lifeArea: 'self_care', assignmentId: null, correctsId: null } },
  ],
  'journal_entry.mark_erroneous': (env) => {
    const [create] = MUTATION_SAMPLES['journal_entry.create'](env);
    return [create, { ...base(), type: 'journal_entry.mark_erroneous', record: { id: create.record.id, reason: env.text } }];
  },
  'day_note.create': (env) => [{ ...base(), type: 'day_note.create', record: { id: randomUUID(), unitId: env.unitId, clientId: env.clientId, text: env.text } }],
  'day_note.mark_summarised': (env) => {
    const [create] = MUTATION_SAMPLES['day_note.create'](env);
    return [create, { ...base(), type: 'day_note.mark_summarised', record: { id: create.record.id } }];
  },
  'plan.save_draft': (env) => [{ ...base(), type: 'plan.save_draft', record: { id: randomUUID(), clientId: env.clientId, baseRevision: 0, basedOnVersionId: null, content: planContent(env.text) } }],
  'plan.set': (env) => {
    const [draft] = MUTATION_SAMPLES['plan.save_draft'](env);
    return [draft, { ...base(), type: 'plan.set', record: { id: draft.record.id, revision: 1, versionId: randomUUID(), setOn: today() } }];
  },
  'plan.follow_up': (env) => {
    const [draft, set] = MUTATION_SAMPLES['plan.set'](env) as [Extract<Mutation, { type: 'plan.save_draft' }>, Extract<Mutation, { type: 'plan.set' }>];
    const goalId = draft.record.content.areas[0]!.goals[0]!.id;
    const outcomes = [{ goalId, outcome: 'partly' as const, comment: env.text }];
    return [draft, set, { ...base(), type: 'plan.follow_up', record: { id: draft.record.id, followUpId: randomUUID(), versionId: set.record.versionId, date: today(), outcomes, comment: env.text, revise: true } }];
  },
  'plan.consent': (env) => {
    const [draft] = MUTATION_SAMPLES['plan.save_draft'](env);
    const consent = { id: draft.record.id, consentId: randomUUID(), status: 'given' as const, date: today(), how: 'written' as const, givenBy: 'representative' as const, representative: 'Anna Andersson', note: env.text };
    return [draft, { ...base(), type: 'plan.consent', record: consent }];
  },
  'message_thread.create': (env) => [
    { ...base(), type: 'message_thread.create', record: { id: randomUUID(), unitId: env.unitId, subject: `Om brukaren ${env.text}`.slice(0, 200), clientId: env.clientId, assignmentId: null, toUnit: true, participantIds: [] } },
  ],
  'message.send': (env) => {
    const [thread] = MUTATION_SAMPLES['message_thread.create'](env);
    return [thread, { ...base(), type: 'message.send', record: { id: randomUUID(), threadId: thread.record.id, text: env.text } }];
  },
  'message.mark_read': (env) => {
    const [thread, send] = MUTATION_SAMPLES['message.send'](env) as [Mutation, Extract<Mutation, { type: 'message.send' }>];
    return [thread, send, { ...base(), type: 'message.mark_read', record: { id: send.record.id } }];
  },
  'deviation.report': (env) => [
    {
      ...base(),
      type: 'deviation.report',
      record: {
        id: randomUUID(), unitId: env.unitId, clientId: env.clientId, assignmentId: null, occurredAt: new Date(Date.now() - 3_600_000).toISOString(), place: 'Hallen',
        category: 'fall', description: env.text, consequence: env.text, immediateAction: env.text, lexSarah: 'unsure',
      },
    },
  ],
  'consent.record': (env) => [
    { ...base(), type: 'consent.record', record: { id: randomUUID(), clientId: env.clientId, topic: 'other', otherText: env.text, answer: 'given', form: 'written', givenOn: today(), note: env.text } },
  ],
  'consent.withdraw': (env) => {
    const [recorded] = MUTATION_SAMPLES['consent.record'](env);
    return [recorded, { ...base(), type: 'consent.withdraw', record: { id: recorded.record.id, withdrawnOn: today(), reason: env.text } }];
  },
};

/** A plan that can be set: one life area with a goal, one activity; `text` in every free-text field. */
function planContent(text: string): PlanContent {
  return {
    assignmentIds: [],
    clientGoals: text,
    areas: [{ lifeArea: 'self_care', needs: text, goals: [{ id: randomUUID(), text }] }],
    activities: [{ id: randomUUID(), lifeArea: 'self_care', what: text, who: 'Undersköterska', how: text, when: 'Mån–fre 08.00', ksiCode: null }],
    participation: text,
    othersPresent: [{ role: 'relative', name: 'Anna Andersson' }],
    cooperation: text,
    followUp: { date: today(), how: text },
  };
}

const MUTATION_TYPES = Mutation.options.map((o) => o.shape.type.value) as MutationType[];

export function kindsSuite(label: string, open: () => Promise<SuiteDb>): void {
  describe(`every registered record kind on ${label}`, { timeout: 60_000 }, () => {
    let handle: SuiteDb;
    let db: Db;
    let h: SyncHarness;
    const log = captureStream();

    beforeAll(async () => {
      handle = await open();
      db = handle.db;
      h = await startSyncHarness(db, { logStream: log });
    }, 120_000);
    afterAll(async () => {
      await h?.app.close();
      await handle?.close();
    });

    const env = async (): Promise<SampleEnv> => ({ unitId: h.units.hemtjanst, clientId: await h.client('hemtjanst', 1), text: `Mötte brukaren. ${MARKER} ${randomUUID()}` });

    /** The raw pages of a pull from empty: read and applied by `store` as the sync engine does. */
    async function pullInto(store: SqlStore, token: string): Promise<Change[]> {
      const changes: Change[] = [];
      let cursors: Cursors = {};
      for (;;) {
        const r = await h.app.inject({
          method: 'POST',
          url: '/api/v1/sync/pull',
          headers: { authorization: `Bearer ${token}`, 'x-workstation': 'WS-SYNC', [API_VERSION_HEADER]: String(API_VERSION) },
          payload: { cursors, limit: 200 },
        });
        expect(r.statusCode, r.body).toBe(200);
        const page = store.readPullPage(r.rawPayload);
        store.applyPulledPage(page.pageId);
        changes.push(...(JSON.parse(r.body) as { changes: Change[] }).changes);
        cursors = page.cursors;
        if (!page.hasMore) return changes;
      }
    }

    function openStore(): SqlStore {
      const t = tempDir('kinds-');
      const store = new SqlStore(openDatabase(`${t.dir}/store.db`, Buffer.alloc(32, 7)));
      afterAll(() => {
        store.close();
        t.cleanup();
      });
      return store;
    }

    it('every layer registers the same kinds, and every mutation has its store handler and its server rules and writer', () => {
      const names = SYNC_KINDS.map((k) => k.name);
      expect(names).toEqual(RecordType.options);
      expect(STORE_KINDS.map((k) => k.name)).toEqual(names);
      expect(SERVER_KINDS.map((k) => k.name)).toEqual(names);
      const store = openStore();
      for (const type of MUTATION_TYPES) {
        expect(type.split('.')[0], type).toSatisfy((k: string) => (names as string[]).includes(k));
        expect(() => SERVER_REGISTRY.push.rulesOf(type), type).not.toThrow();
        const part = (store as unknown as { kinds: Record<string, { mutations: Record<string, unknown> }> }).kinds[type.split('.')[0]!]!;
        expect(Object.keys(part.mutations), type).toContain(type);
      }
    });

    it('every pushed mutation is applied at most once: again, and twice at the same time, it answers the same and writes nothing more', async () => {
      const sara = await h.login('sara');
      for (const type of MUTATION_TYPES) {
        const sample = MUTATION_SAMPLES[type](await env());
        const target = sample.at(-1)!;
        const setup = sample.slice(0, -1);
        if (setup.length > 0) expect((await sara.push(...setup)).results.every((r) => r.status === 'applied'), type).toBe(true);
        const first = await sara.push(target);
        expect(first.results[0], type).toMatchObject({ status: 'applied' });
        const facts = async () => ({
          seq: (await db.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM changes WHERE record_id = $1', [target.record.id])).rows[0]!.seq,
          events: Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM access_log WHERE action = 'change' AND record_id = $1`, [target.record.id])).rows[0]!.n),
          claims: Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM applied_mutations WHERE mutation_id = $1', [target.mutationId])).rows[0]!.n),
        });
        const after = await facts();
        expect(after.claims, type).toBe(1);
        const again = await sara.push(target);
        const raced = await Promise.all([sara.push(target), sara.push(target)]);
        for (const r of [again, ...raced]) expect(r.results, type).toEqual(first.results);
        expect(await facts(), type).toEqual(after);
      }
    });

    it('every kind’s pull round-trips: the server’s record, the feed and the store’s copy are the same JSON', async () => {
      const sara = await h.login('sara');
      for (const type of MUTATION_TYPES) {
        const results = await sara.push(...MUTATION_SAMPLES[type](await env()));
        expect(results.results.every((r) => r.status === 'applied'), type).toBe(true);
      }
      const store = openStore();
      const changes = await pullInto(store, sara.token);
      for (const kind of RecordType.options) {
        const upserts = changes.filter((c): c is Extract<Change, { op: 'upsert' }> => c.op === 'upsert' && c.type === kind);
        expect(upserts.length, `${kind}: records in the feed`).toBeGreaterThan(0);
        for (const c of upserts) {
          // Byte for byte against the record as the contract reads it (its keys in the schema's
          // order); the same values as the server wrote them.
          expect(JSON.stringify(store.record(kind, c.id)), `${kind} ${c.id}`).toBe(JSON.stringify((ChangeSchema.parse(c) as typeof c).record));
          expect(store.record(kind, c.id), `${kind} ${c.id}`).toEqual(c.record);
          // The kinds a first sync is mostly made of come in the contract's field order, so the
          // store's quick check takes them as they are (main/store/quick-check.ts).
          if (QUICK_KINDS.has(kind)) expect(quickChange(c), `${kind} ${c.id}: quick check`).toBe(true);
        }
      }
    });

    it('every kind is purged from the store when its unit leaves the scope; its queued mutations become refusals', async () => {
      const sara = await h.login('sara');
      const store = openStore();
      const changes = await pullInto(store, sara.token);
      const lost = h.units.hemtjanst;
      const kept = store.units().filter((u) => u.unitId !== lost);
      expect(kept.length).toBeGreaterThan(0);
      const ofLost = new Map(RecordType.options.map((k) => [k, changes.filter((c) => c.op === 'upsert' && c.type === k && c.unitId === lost).map((c) => c.id)]));
      for (const [kind, ids] of ofLost) expect(ids.length, `${kind}: records of the unit that leaves`).toBeGreaterThan(0);
      const queued = [];
      for (const type of MUTATION_TYPES) {
        for (const m of MUTATION_SAMPLES[type](await env())) {
          store.enqueue(m, author);
          queued.push(m.mutationId);
        }
      }
      expect(store.outboxCount()).toBe(queued.length);

      store.applyPull({ units: kept, changes: [], cursors: {} });

      for (const [kind, ids] of ofLost) for (const id of ids) expect(store.record(kind, id), `${kind} ${id}`).toBeNull();
      expect(store.outboxCount()).toBe(0);
      expect(store.refusals().filter((r) => r.code === 'PERMISSION_ENDED').map((r) => r.mutationId).sort()).toEqual([...queued].sort());
      // Nothing of the unit in any table (the refusals keep the user's unsent text, by design; the
      // full-text index's own tables hold tokens, not ids).
      const tables = (store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' AND name NOT IN ('refusals', 'sqlite_sequence')`).all() as { name: string }[]).map((t) => t.name);
      for (const table of tables) {
        const rows = store.db.prepare(`SELECT * FROM "${table}"`).all();
        expect(JSON.stringify(rows).includes(lost), `${table} still mentions the unit`).toBe(false);
      }
    });

    it('no kind writes note text into a log: the server logged every request above, and none of the marked texts', async () => {
      // Refused and invalid mutations too: a refusal's reason and a 400's details carry no text.
      const sara = await h.login('sara');
      const outside = { ...(await env()), clientId: randomUUID() };
      for (const type of MUTATION_TYPES) await sara.push(...MUTATION_SAMPLES[type](outside));
      const invalid = MUTATION_SAMPLES['day_note.create']({ ...(await env()), text: `${MARKER}\u0000` });
      const r = await h.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { authorization: `Bearer ${sara.token}` }, payload: { mutations: invalid } });
      expect(r.statusCode).toBe(400);
      const text = log.text();
      expect(text).toContain('/api/v1/sync/push');
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain('Mötte brukaren');
    });
  });
}
