import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientRecord, SyncStatus } from '#contract';
import type { LocalDayNote, LocalJournalEntry } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader, openCardFile, type SoftCard } from '../../../native/softcard';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';
import { fastSync, ok } from './helpers';

/**
 * Property: whatever the interleaving of writes, server outages, syncs and restarts of the
 * workstation's data (lock → store closed, engine stopped; login → reopened), after a final sync
 * the server holds exactly the writes that were answered ok — each once — no write that was
 * refused, and the local store shows exactly the server's records of the user's units.
 */
let stack: Stack;
const reader = new DemoInProcessReader('Testläsare');
let card: SoftCard;
let clients: ClientRecord[];
let unitIds: string[];
const SARA = 'SE2321000131-P000000000103';

beforeAll(async () => {
  stack = await startStack('sync-property', { card: cardAccessOver(reader), sync: fastSync, serverSync: { coalesceMs: 20 } });
  card = await openCardFile(await stack.issueCard({ hsaId: SARA, givenName: 'Sara', familyName: 'Nyström' }));
  reader.insert(card);
  const s = await ok<{ units: { unitId: string }[] }>(stack.workstation, 'session.login', { pin: '123456' });
  unitIds = s.units.map((u) => u.unitId);
  await finalSync();
  clients = await ok<ClientRecord[]>(stack.workstation, 'clients.list', { limit: 500 });
});
afterAll(async () => stack?.stop());

const ws = () => stack.workstation;

async function finalSync(): Promise<void> {
  // Also from beforeAll, where expect.poll is not available.
  await vi.waitFor(async () => expect(await ok<SyncStatus>(ws(), 'sync.now'), 'the final sync').toMatchObject({ connection: 'online', pending: 0 }), {
    timeout: LIVE_WAIT_MS,
    interval: 20,
  });
}

type Action =
  | { kind: 'journal' | 'note'; client: number }
  | { kind: 'down' }
  | { kind: 'up' }
  | { kind: 'sync' }
  | { kind: 'restart' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('journal' as const, 'note' as const), client: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'down' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'up' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'sync' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

let run = 0;
let locked = false;

async function unlockIfPossible(): Promise<void> {
  if (!locked || !stack.server.running) return;
  reader.insert(card);
  await ok(ws(), 'session.login', { pin: '123456' });
  locked = false;
}

async function execute(actions: Action[]): Promise<{ okIds: string[]; okTexts: string[]; refusedTexts: string[] }> {
  const tag = `P${run++}-${Date.now()}`;
  const okIds: string[] = [];
  const okTexts: string[] = [];
  const refusedTexts: string[] = [];
  let n = 0;
  for (const a of actions) {
    switch (a.kind) {
      case 'journal':
      case 'note': {
        const c = clients[a.client % clients.length]!;
        const text = `${tag} ${n++}`;
        const r =
          a.kind === 'journal'
            ? await ws().dispatch('journal.create', { clientId: c.id, eventDate: '2026-05-04', text, lifeArea: null })
            : await ws().dispatch('daynotes.create', { unitId: c.unitId, clientId: c.id, text });
        if (r.ok) {
          okIds.push((r.value as { id: string }).id);
          okTexts.push(text);
        } else {
          expect(r.error.code).toBe('SESSION_LOCKED');
          refusedTexts.push(text);
        }
        break;
      }
      case 'down':
        await stack.server.stop();
        break;
      case 'up':
        await stack.server.start();
        await unlockIfPossible();
        break;
      case 'sync':
        if (!locked) await ok(ws(), 'sync.now');
        break;
      case 'restart':
        // Card out: the session locks, the engine stops, the store closes and its key is dropped.
        reader.remove();
        locked = true;
        await unlockIfPossible();
        break;
    }
  }
  await stack.server.start();
  await unlockIfPossible();
  await finalSync();
  return { okIds, okTexts, refusedTexts };
}

async function pageAll<T extends { id: string }>(fetchPage: (before: T | undefined) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let before: T | undefined; ; ) {
    const page = await fetchPage(before);
    all.push(...page);
    if (page.length < 500) return all;
    before = page[page.length - 1];
  }
}

async function localView() {
  const notes: LocalDayNote[] = [];
  for (const unitId of unitIds) {
    notes.push(
      ...(await pageAll<LocalDayNote>((b) => ok(ws(), 'daynotes.list', { unitId, limit: 500, ...(b ? { before: { createdAt: b.createdAt, id: b.id } } : {}) }))),
    );
  }
  const journal: LocalJournalEntry[] = [];
  for (const c of clients) {
    journal.push(
      ...(await pageAll<LocalJournalEntry>((b) =>
        ok(ws(), 'journal.list', { clientId: c.id, limit: 500, ...(b ? { before: { eventDate: b.eventDate, createdAt: b.createdAt, id: b.id } } : {}) }),
      )),
    );
  }
  return { notes, journal };
}

describe('convergence', () => {
  it('random interleavings of offline writes, syncs, outages and restarts converge to the server, nothing lost or doubled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), async (actions) => {
        const { okIds, okTexts, refusedTexts } = await execute(actions);
        const { rows } = await stack.db.query<{ id: string; text: string }>(
          `SELECT id::text, text FROM journal_entries WHERE text = ANY($1) UNION ALL SELECT id::text, text FROM day_notes WHERE text = ANY($1)`,
          [[...okTexts, ...refusedTexts]],
        );
        // Exactly the writes answered ok, each once; none of the refused ones.
        expect(rows.map((r) => r.id).sort()).toEqual([...okIds].sort());
        expect(rows.map((r) => r.text).sort()).toEqual([...okTexts].sort());

        const server = await stack.db.query<{ id: string; kind: string }>(
          `SELECT id::text, 'journal' AS kind FROM journal_entries WHERE unit_id = ANY($1::uuid[])
           UNION ALL SELECT id::text, 'note' FROM day_notes WHERE unit_id = ANY($1::uuid[])`,
          [unitIds],
        );
        const local = await localView();
        expect(local.journal.filter((j) => j.pending)).toEqual([]);
        expect(local.notes.filter((j) => j.pending)).toEqual([]);
        expect(local.journal.map((j) => j.id).sort()).toEqual(server.rows.filter((r) => r.kind === 'journal').map((r) => r.id).sort());
        expect(local.notes.map((j) => j.id).sort()).toEqual(server.rows.filter((r) => r.kind === 'note').map((r) => r.id).sort());
      }),
      { numRuns: 20, interruptAfterTimeLimit: 150_000 },
    );
  }, 240_000);
});
