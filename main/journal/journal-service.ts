import { randomUUID } from 'node:crypto';
import { AppFailure, because, type Author, type JournalDraft, type JournalExport, type LifeArea, type Mutation, type SavedDraft } from '#contract';
import type { LocalJournalEntry } from '#contract';
import type { AccessReporter } from '../access/access-reporter';
import { swedishFileStamp, type ExportHow, type ExportSink } from '../exports/export-sink';
import type { LocalStore } from '../store/types';
import { journalEntryCreate } from './mutations';
import { journalPdf } from './pdf';
import { journalHtml } from './print-html';

export interface JournalServiceDeps {
  store: () => Promise<LocalStore>;
  /** After a local write: push soon, tell the renderer. */
  written: (kinds: string[]) => void;
  author: () => Author;
  access: AccessReporter;
  /** Where an export goes: the host's save/print dialog or download, else the exports folder. */
  exports: () => ExportSink;
}

export interface ExportRequest {
  /** Event dates from–to (ÅÅÅÅ-MM-DD, inclusive); without them the whole journal. */
  from?: string | undefined;
  to?: string | undefined;
  how: ExportHow;
}

interface EntryInput {
  clientId: string;
  eventDate: string;
  text: string;
  lifeArea: LifeArea | null;
  assignmentId: string | null;
}

/**
 * The workstation side of the execution journal (docs/journal.md): local writes through the
 * outbox, corrections as two ordered mutations, drafts in the encrypted store, the access-log
 * events of reading and exporting, and the PDF export.
 */
export class JournalService {
  constructor(private readonly deps: JournalServiceDeps) {}

  async list(q: { clientId: string; limit: number; search?: string; before?: { eventDate: string; createdAt: string; id: string } }): Promise<LocalJournalEntry[]> {
    const store = await this.deps.store();
    const client = await store.client(q.clientId);
    if (!client) throw new AppFailure('NOT_FOUND', 'client not in the user\'s units', because('CLIENT_NOT_IN_UNITS'));
    const rows = await store.journal(q);
    // Opening the journal (its first page) is a read; paging and searching in it is the same read.
    if (!q.before) await this.deps.access.record({ action: 'read', clientId: q.clientId, recordType: 'journal' });
    return rows;
  }

  async create(input: EntryInput & { summarisedNoteIds: string[] }, correctsId: string | null = null): Promise<LocalJournalEntry> {
    const store = await this.deps.store();
    const client = await store.client(input.clientId);
    // The editor offers only clients of the store: one gone from it went with its unit, whose
    // permission ended meanwhile (the sync purged it; the draft's text is kept as a refusal).
    if (!client) throw new AppFailure('PERMISSION_ENDED', 'permission to the client\'s unit has ended');
    const author = this.deps.author();
    const { mutation, record } = journalEntryCreate(input, client.unitId, author);
    mutation.record.correctsId = correctsId;
    record.correctsId = correctsId;
    const marks: Mutation[] = [...new Set(input.summarisedNoteIds)].map((noteId) => ({
      mutationId: randomUUID(), createdAt: mutation.createdAt, type: 'day_note.mark_summarised', record: { id: noteId },
    }));
    // One local transaction: the entry, the summarised marks, the draft gone. The reply waits for
    // it: what the user is told is saved, is saved.
    await store.enqueueEntry([mutation, ...marks], author, { clientId: input.clientId, correctsId });
    this.deps.written(input.summarisedNoteIds.length ? ['journal_entry', 'day_note'] : ['journal_entry']);
    return record;
  }

  async markErroneous(entryId: string, reason: string): Promise<LocalJournalEntry> {
    const store = await this.deps.store();
    const author = this.deps.author();
    // The same marking again by the same person (a double click, two clicks at once) answers the
    // entry as marked and queues nothing more; a different second marking is still refused.
    const done = async () => {
      const entry = await store.journalEntry(entryId);
      return entry?.erroneous && entry.erroneous.markedBy.staffId === author.staffId && entry.erroneous.reason === reason ? entry : null;
    };
    const already = await done();
    if (already) return already;
    const m: Mutation = { mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'journal_entry.mark_erroneous', record: { id: entryId, reason } };
    try {
      await store.enqueue(m, author);
    } catch (e) {
      const meanwhile = e instanceof AppFailure && e.code === 'CONFLICT' ? await done() : null;
      if (meanwhile) return meanwhile;
      throw e;
    }
    this.deps.written(['journal_entry']);
    return this.entry(store, entryId);
  }

  /**
   * Felmarkera + the new linked entry: two mutations in this order, each its own local transaction.
   * The correction is for the original's client; the caller does not name one.
   */
  async correct(input: Omit<EntryInput, 'clientId'> & { entryId: string; reason: string }): Promise<{ marked: LocalJournalEntry; correction: LocalJournalEntry }> {
    const store = await this.deps.store();
    const original = await this.entry(store, input.entryId);
    const marked = original.erroneous ? original : await this.markErroneous(input.entryId, input.reason);
    const correction = await this.create({ ...input, clientId: original.clientId, summarisedNoteIds: [] }, input.entryId);
    return { marked, correction };
  }

  private async entry(store: LocalStore, id: string): Promise<LocalJournalEntry> {
    const found = await store.journalEntry(id);
    if (!found) throw new AppFailure('NOT_FOUND', 'journal entry not found');
    return found;
  }

  // ---- drafts ----

  async saveDraft(draft: JournalDraft): Promise<SavedDraft> {
    return (await this.deps.store()).saveDraft(draft, new Date().toISOString());
  }

  async draft(clientId: string, correctsId: string | null): Promise<SavedDraft | null> {
    return (await this.deps.store()).draft(clientId, correctsId);
  }

  async deleteDraft(clientId: string, correctsId: string | null): Promise<boolean> {
    return (await this.deps.store()).deleteDraft(clientId, correctsId);
  }

  // ---- export ----

  /** Who prints: the signed-in user's name and title, on every page of an export. */
  signature(): string {
    const a = this.deps.author();
    return `${a.name}, ${a.title}`;
  }

  async exportPdf(clientId: string, printedBy: string, req: ExportRequest = { how: 'save' }): Promise<JournalExport> {
    const { pdf, html, fileName, entries } = await this.renderPdf(clientId, printedBy, req);
    const delivery = await this.deps.exports().deliver({ fileName, pdf, html }, req.how);
    return { fileName, entries, bytes: pdf.length, delivery };
  }

  /**
   * The client's journal of the period as a PDF (and the same as printable HTML), an `export` in
   * the access log; handed out by exportPdf through the host, or attached to a message
   * (main/messages). The file name holds no name or personnummer.
   */
  async renderPdf(clientId: string, printedBy: string, req: { from?: string | undefined; to?: string | undefined } = {}): Promise<{ pdf: Buffer; html: string; fileName: string; entries: number }> {
    const store = await this.deps.store();
    const client = await store.client(clientId);
    if (!client) throw new AppFailure('NOT_FOUND', 'client not in the user\'s units', because('CLIENT_NOT_IN_UNITS'));
    const entries: LocalJournalEntry[] = [];
    for (;;) {
      const last = entries[entries.length - 1];
      const page = await store.journal({ clientId, limit: 500, ...(last ? { before: { eventDate: last.eventDate, createdAt: last.createdAt, id: last.id } } : {}) });
      entries.push(...page);
      // Newest first: past the period's start there is nothing more to take.
      const tail = page[page.length - 1];
      if (page.length < 500 || (req.from && tail && tail.eventDate < req.from)) break;
    }
    const chosen = entries.filter((e) => (!req.from || e.eventDate >= req.from) && (!req.to || e.eventDate <= req.to));
    const printedAt = new Date();
    const meta = { printedBy, printedAt, period: { from: req.from ?? null, to: req.to ?? null } };
    const pdf = await journalPdf(client, chosen, meta);
    // Logged before the document leaves: an export whose logging failed is not handed out. A
    // print or save the user then cancels was still an export (the document was made for them).
    await this.deps.access.record({ action: 'export', clientId, recordType: 'journal' });
    // No name or personnummer in the file name; the time is Swedish, as the user reads it.
    const fileName = `journal-${swedishFileStamp(printedAt)}.pdf`;
    return { pdf, html: journalHtml(client, chosen, meta), fileName, entries: chosen.length };
  }
}
