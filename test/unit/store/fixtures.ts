import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Author, Change, ClientRecord, DayNoteRecord, JournalEntryRecord, Mutation, PermittedUnit } from '#contract';

export const author: Author = { staffId: randomUUID(), hsaId: 'SE2321000131-P000000000103', name: 'Sara Nyström', title: 'Undersköterska' };

export const unit = (name: string, unitId: string = randomUUID()): PermittedUnit => ({ unitId, name, validFrom: '2024-01-01', validTo: null });

export const client = (unitId: string, over: Partial<ClientRecord> = {}): ClientRecord => ({
  id: randomUUID(),
  unitId,
  personnummer: '191212121212',
  givenName: 'Tolvan',
  familyName: 'Tolvansson',
  ...over,
});

export const journalEntry = (c: ClientRecord, over: Partial<JournalEntryRecord> = {}): JournalEntryRecord => ({
  id: randomUUID(),
  clientId: c.id,
  unitId: c.unitId,
  eventDate: '2024-05-01',
  text: 'Brukaren åt frukost',
  lifeArea: 'self_care',
  assignmentId: null,
  author,
  createdAt: '2024-05-01T08:00:00.000Z',
  erroneous: null,
  correctsId: null,
  ...over,
});

export const dayNote = (unitId: string, over: Partial<DayNoteRecord> = {}): DayNoteRecord => ({
  id: randomUUID(),
  unitId,
  clientId: null,
  text: 'Nyckeln till förrådet ligger i kontoret',
  author,
  createdAt: '2024-05-01T08:00:00.000Z',
  summarisedAt: null,
  ...over,
});

let seq = 0;
export const upsert = (type: 'client' | 'journal_entry' | 'day_note', record: ClientRecord | JournalEntryRecord | DayNoteRecord): Change =>
  ({ seq: ++seq, op: 'upsert', type, id: record.id, unitId: record.unitId, record }) as Change;
export const del = (type: 'client' | 'journal_entry' | 'day_note', id: string, unitId: string): Change => ({ seq: ++seq, op: 'delete', type, id, unitId });

export const journalCreate = (c: ClientRecord, text = 'Brukaren åt frukost'): Extract<Mutation, { type: 'journal_entry.create' }> => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'journal_entry.create',
  record: { id: randomUUID(), clientId: c.id, eventDate: '2024-06-01', text, lifeArea: null, assignmentId: null, correctsId: null },
});

export const noteCreate = (unitId: string, text: string, clientId: string | null = null): Extract<Mutation, { type: 'day_note.create' }> => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'day_note.create',
  record: { id: randomUUID(), unitId, clientId, text },
});

/** A temporary data folder, removed by the returned cleanup. */
export function tempDir(prefix = 'store-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
