import type { ClientRecord, DayNoteRecord, JournalEntryRecord, LifeArea } from '../../contract/sync';

/**
 * The synced records as the server stores them (server/migrations/0003_sync.sql) and as the
 * contract sends them (contract/sync.ts). One place for the column lists and the mapping.
 */

const iso = (v: Date | string): string => new Date(v).toISOString();

export const CLIENT_COLUMNS = 'id, unit_id, personnummer, given_name, family_name';
export interface ClientRow {
  id: string;
  unit_id: string;
  personnummer: string;
  given_name: string;
  family_name: string;
}
export const clientRecord = (r: ClientRow): ClientRecord => ({
  id: r.id,
  unitId: r.unit_id,
  personnummer: r.personnummer.trim(),
  givenName: r.given_name,
  familyName: r.family_name,
});

export const JOURNAL_COLUMNS = `id, client_id, unit_id, event_date, text, life_area, assignment_id, corrects_id,
  author_staff_id, author_hsa_id, author_name, author_title, created_at,
  erroneous_at, erroneous_by_staff_id, erroneous_by_hsa_id, erroneous_by_name, erroneous_by_title, erroneous_reason`;
export interface JournalRow {
  id: string;
  client_id: string;
  unit_id: string;
  event_date: string;
  text: string;
  life_area: LifeArea | null;
  assignment_id: string | null;
  corrects_id: string | null;
  author_staff_id: string;
  author_hsa_id: string;
  author_name: string;
  author_title: string;
  created_at: Date | string;
  erroneous_at: Date | string | null;
  erroneous_by_staff_id: string | null;
  erroneous_by_hsa_id: string | null;
  erroneous_by_name: string | null;
  erroneous_by_title: string | null;
  erroneous_reason: string | null;
}
export const journalRecord = (r: JournalRow): JournalEntryRecord => ({
  id: r.id,
  clientId: r.client_id,
  unitId: r.unit_id,
  eventDate: r.event_date,
  text: r.text,
  lifeArea: r.life_area,
  assignmentId: r.assignment_id,
  author: { staffId: r.author_staff_id, hsaId: r.author_hsa_id, name: r.author_name, title: r.author_title },
  createdAt: iso(r.created_at),
  erroneous:
    r.erroneous_at === null
      ? null
      : {
          markedAt: iso(r.erroneous_at),
          markedBy: { staffId: r.erroneous_by_staff_id!, hsaId: r.erroneous_by_hsa_id!, name: r.erroneous_by_name!, title: r.erroneous_by_title! },
          reason: r.erroneous_reason!,
        },
  correctsId: r.corrects_id,
});

export const DAY_NOTE_COLUMNS = 'id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at, summarised_at';
export interface DayNoteRow {
  id: string;
  unit_id: string;
  client_id: string | null;
  text: string;
  author_staff_id: string;
  author_hsa_id: string;
  author_name: string;
  author_title: string;
  created_at: Date | string;
  summarised_at: Date | string | null;
}
export const dayNoteRecord = (r: DayNoteRow): DayNoteRecord => ({
  id: r.id,
  unitId: r.unit_id,
  clientId: r.client_id,
  text: r.text,
  author: { staffId: r.author_staff_id, hsaId: r.author_hsa_id, name: r.author_name, title: r.author_title },
  createdAt: iso(r.created_at),
  summarisedAt: r.summarised_at === null ? null : iso(r.summarised_at),
});
