import { AppFailure, because, type Author } from '#contract';
import type { LocalDayNote } from '#contract';
import type { AccessReporter } from '../access/access-reporter';
import type { UserData } from '../sync/user-data';
import { dayNoteCreate, type DayNoteInput } from './mutations';

export interface DayNotesDeps {
  data: Pick<UserData, 'current' | 'store'>;
  author: () => Author;
  access: Pick<AccessReporter, 'record'>;
  /** After a local write: push soon, tell the renderer (main/app.ts). */
  written: (kinds: string[]) => void;
}

/**
 * Day notes on the workstation (docs/journal.md): the unit's and a client's notes from the
 * encrypted store, full-text search, and new notes written locally through the outbox. Opening
 * notes is a read in the server's access log (one event per client shown; not for later pages).
 */
export class DayNotesService {
  constructor(private readonly deps: DayNotesDeps) {}

  async list(q: { unitId: string; clientId?: string; limit: number; before?: { createdAt: string; id: string } }): Promise<LocalDayNote[]> {
    const notes = await (await this.deps.data.store()).dayNotes(q);
    // Opening a client's notes is a read of them; the unit feed is a read of each client it shows.
    const clients = q.clientId ? [q.clientId] : [...new Set(notes.flatMap((n) => (n.clientId ? [n.clientId] : [])))];
    if (!q.before) for (const clientId of clients) await this.deps.access.record({ action: 'read', clientId, recordType: 'day_notes' });
    return notes;
  }

  async search(q: { query: string; unitId?: string; limit: number }): Promise<LocalDayNote[]> {
    return (await this.deps.data.store()).searchDayNotes(q);
  }

  async create(input: DayNoteInput): Promise<LocalDayNote> {
    const store = await this.deps.data.store();
    if (!(await store.units()).some((u) => u.unitId === input.unitId)) throw new AppFailure('FORBIDDEN', 'unit not permitted', because('UNIT_NOT_PERMITTED'));
    if (input.clientId) {
      const client = await store.client(input.clientId);
      if (!client || client.unitId !== input.unitId) throw new AppFailure('NOT_FOUND', 'client not in the unit', because('CLIENT_NOT_IN_UNIT'));
    }
    const { mutation, record } = dayNoteCreate(input, this.deps.author());
    await store.enqueue(mutation, record.author);
    this.deps.written(['day_note']);
    return record;
  }
}

/** The `notes` API namespace over the service. */
export function dayNotesHandlers(deps: DayNotesDeps) {
  const svc = new DayNotesService(deps);
  return {
    list: (q: Parameters<DayNotesService['list']>[0]) => svc.list(q),
    search: (q: Parameters<DayNotesService['search']>[0]) => svc.search(q),
    create: (input: DayNoteInput) => svc.create(input),
  };
}
