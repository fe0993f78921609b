/**
 * The push rules (server/sync/push-rules.ts) without a database: a batch decided in order over a
 * loaded state, each decision seeing the writes decided before it. The same rules through the
 * server and a database: sync-suite.ts ("push").
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exampleKsiList, ksiIndex, type Mutation } from '#contract';
import { SERVER_KINDS, SERVER_REGISTRY } from '../../../server/kinds';
import type { KindDecision } from '../../../server/sync/kind';
import type { BatchStateOf, WriteOf } from '../../../server/sync/push-rules';
import { runsOfOneKind } from '../../../server/sync/push-writes';

type BatchState = BatchStateOf<typeof SERVER_KINDS>;
type Write = WriteOf<typeof SERVER_KINDS>;
type Decision = KindDecision<Write>;
const { decideBatch, emptyState, messages: MESSAGES, stateKeys } = SERVER_REGISTRY.push;

const unit = randomUUID();
const otherUnit = randomUUID();
const client = randomUUID();
const otherClient = randomUUID();
const foreignClient = randomUUID();
const now = new Date('2025-06-10T10:00:00Z');
const ctx = { scope: new Set([unit, otherUnit]), now, codes: { ksi: ksiIndex(exampleKsiList()) } };

const base = () => ({ mutationId: randomUUID(), createdAt: now.toISOString() });
const entry = (record: Partial<Extract<Mutation, { type: 'journal_entry.create' }>['record']> = {}): Mutation => ({
  ...base(),
  type: 'journal_entry.create',
  record: { id: randomUUID(), clientId: client, eventDate: '2025-06-10', text: 'Promenad.', lifeArea: null, assignmentId: null, correctsId: null, ...record },
});
const mark = (id: string): Mutation => ({ ...base(), type: 'journal_entry.mark_erroneous', record: { id, reason: 'Fel brukare.' } });
const note = (record: Partial<Extract<Mutation, { type: 'day_note.create' }>['record']> = {}): Mutation => ({
  ...base(),
  type: 'day_note.create',
  record: { id: randomUUID(), unitId: unit, clientId: null, text: 'Kaffet är slut.', ...record },
});
const summarise = (id: string): Mutation => ({ ...base(), type: 'day_note.mark_summarised', record: { id } });
const idOf = (m: Mutation) => m.record.id;

/** A state as loaded: three clients (one in a unit out of scope), nothing else unless given. */
const state = (extra: Partial<BatchState> = {}): BatchState => ({
  ...emptyState(),
  clients: new Map([[client, unit], [otherClient, otherUnit], [foreignClient, randomUUID()]]),
  ...extra,
});
const summary = (ds: Decision[]) => ds.map((d) => (d.status === 'applied' ? (d.write ? d.write.kind : 'applied, no change') : d.code));

describe('push rules: a batch decided in order over loaded state', () => {
  it('a mutation sees the writes decided before it in the batch: create, then correct, mark and mark again', () => {
    const original = entry();
    const correction = entry({ correctsId: idOf(original) });
    const ds = decideBatch([original, mark(idOf(original)), correction, mark(idOf(original)), mark(idOf(correction))], state(), ctx);
    expect(summary(ds)).toEqual(['journal_entry.insert', 'journal_entry.mark_erroneous', 'journal_entry.insert', 'CONFLICT', 'journal_entry.mark_erroneous']);
    expect(ds[3]).toMatchObject({ status: 'refused', message: MESSAGES.alreadyErroneous });
  });

  it('an id used twice in one batch conflicts, across journal and day notes alike', () => {
    const first = entry();
    const again = entry({ id: idOf(first) });
    const asNote = note({ id: idOf(first) });
    const n = note();
    const asEntry = entry({ id: idOf(n) });
    const ds = decideBatch([first, again, asNote, n, asEntry], state(), ctx);
    expect(summary(ds)).toEqual(['journal_entry.insert', 'CONFLICT', 'CONFLICT', 'day_note.insert', 'CONFLICT']);
    for (const d of [ds[1], ds[2], ds[4]]) expect(d).toMatchObject({ message: MESSAGES.duplicateId });
  });

  it('a correction of an entry of another client, or of a day note, is NOT_FOUND; a refusal in the middle leaves the others applied', () => {
    const ofOther = entry({ clientId: otherClient });
    const n = note();
    const ds = decideBatch([ofOther, entry({ correctsId: idOf(ofOther) }), n, entry({ correctsId: idOf(n) }), entry()], state(), ctx);
    expect(summary(ds)).toEqual(['journal_entry.insert', 'NOT_FOUND', 'day_note.insert', 'NOT_FOUND', 'journal_entry.insert']);
  });

  it('refuses by the table of docs/sync.md, in its order: scope before date, date before correction, correction before id', () => {
    const taken = randomUUID();
    const future = '2099-01-01';
    const ds = decideBatch(
      [
        entry({ clientId: randomUUID() }), // unknown client
        entry({ clientId: foreignClient, eventDate: future }), // out of scope, and in the future
        entry({ eventDate: future, correctsId: randomUUID() }),
        entry({ correctsId: randomUUID(), id: taken }),
        entry({ id: taken }),
        entry({ eventDate: '2025-06-11' }), // tomorrow (Swedish date): allowed
        note({ unitId: randomUUID(), clientId: randomUUID() }), // unit out of scope
        note({ clientId: foreignClient }),
        note({ clientId: otherClient }), // in scope, another unit
        note({ clientId: client, id: taken }),
        mark(randomUUID()),
        summarise(randomUUID()),
      ],
      state({ taken: new Set([taken]) }),
      ctx,
    );
    expect(summary(ds)).toEqual([
      'FORBIDDEN', 'FORBIDDEN', 'VALIDATION', 'NOT_FOUND', 'CONFLICT', 'journal_entry.insert',
      'FORBIDDEN', 'FORBIDDEN', 'VALIDATION', 'CONFLICT', 'NOT_FOUND', 'NOT_FOUND',
    ]);
    expect(ds.map((d) => (d.status === 'refused' ? d.message : null))).toEqual([
      MESSAGES.clientForbidden, MESSAGES.clientForbidden, MESSAGES.futureDate, MESSAGES.correctsMissing, MESSAGES.duplicateId, null,
      MESSAGES.unitForbidden, MESSAGES.clientForbidden, MESSAGES.clientNotInUnit, MESSAGES.duplicateId, MESSAGES.entryMissing, MESSAGES.noteMissing,
    ]);
  });

  it('marks of loaded records: out of scope FORBIDDEN, marked already CONFLICT; a note summarised again is applied without change', () => {
    const [outside, marked, open] = [randomUUID(), randomUUID(), randomUUID()];
    const [noteOutside, noteDone, noteOpen] = [randomUUID(), randomUUID(), randomUUID()];
    const s = state({
      entries: new Map([
        [outside, { clientId: foreignClient, unitId: randomUUID(), marked: false }],
        [marked, { clientId: client, unitId: unit, marked: true }],
        [open, { clientId: client, unitId: unit, marked: false }],
      ]),
      notes: new Map([
        [noteOutside, { clientId: null, unitId: randomUUID(), summarised: false }],
        [noteDone, { clientId: client, unitId: unit, summarised: true }],
        [noteOpen, { clientId: null, unitId: otherUnit, summarised: false }],
      ]),
    });
    const created = note();
    const ds = decideBatch(
      [mark(outside), mark(marked), mark(open), summarise(noteOutside), summarise(noteDone), summarise(noteOpen), summarise(noteOpen), created, summarise(idOf(created))],
      s,
      ctx,
    );
    expect(summary(ds)).toEqual([
      'FORBIDDEN', 'CONFLICT', 'journal_entry.mark_erroneous',
      'FORBIDDEN', 'applied, no change', 'day_note.mark_summarised', 'applied, no change', 'day_note.insert', 'day_note.mark_summarised',
    ]);
    expect(ds[2]).toMatchObject({ status: 'applied', recordType: 'journal_entry', recordId: open, unitId: unit, clientId: client });
    expect(ds[5]).toMatchObject({ status: 'applied', recordType: 'day_note', recordId: noteOpen, unitId: otherUnit, clientId: null });
  });

  it('names what to load once each: clients, created ids, corrected entries, marked entries and notes', () => {
    const e = entry({ correctsId: client });
    const keys = stateKeys([e, entry(), note({ clientId: client }), note(), mark(idOf(e)), mark(idOf(e)), summarise(idOf(e))]);
    expect(keys.clientIds).toEqual([client]);
    expect(keys.createdIds).toHaveLength(4);
    expect(keys.correctsIds).toEqual([client]);
    expect(keys.markedEntryIds).toEqual([idOf(e)]);
    expect(keys.summarisedNoteIds).toEqual([idOf(e)]);
  });

  it('writes are grouped into runs of one kind without leaving batch order', () => {
    const ds = decideBatch([note(), note(), entry(), note(), entry(), entry()], state(), ctx);
    const writes = ds.flatMap((d) => (d.status === 'applied' && d.write ? [d.write] : [])) as Write[];
    expect(runsOfOneKind(writes).map((run) => [run[0]!.kind, run.length])).toEqual([
      ['day_note.insert', 2], ['journal_entry.insert', 1], ['day_note.insert', 1], ['journal_entry.insert', 2],
    ]);
    expect(runsOfOneKind(writes).flat()).toEqual(writes);
  });
});
