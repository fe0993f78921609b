import type { ApiHandlers } from '#contract';
import type { JournalService } from './journal-service';

/**
 * The `journal` API namespace over the journal service (docs/journal.md). It takes the service,
 * as plansHandlers does, because messages attach the service's PDF too.
 */
export function journalHandlers(journal: JournalService): ApiHandlers<unknown>['journal'] {
  return {
    // Opening a client's journal is a read in the access log (JournalService.list).
    list: (q) => journal.list(q),
    create: (input) => journal.create(input),
    markErroneous: ({ entryId, reason }) => journal.markErroneous(entryId, reason),
    correct: (input) => journal.correct(input),
    export: async ({ clientId, from, to, how }) => journal.exportPdf(clientId, journal.signature(), { from, to, how }),
  };
}

/** The `drafts` API namespace: the journal's drafts, in the encrypted store. */
export function draftsHandlers(journal: JournalService): ApiHandlers<unknown>['drafts'] {
  return {
    save: (draft) => journal.saveDraft(draft),
    get: ({ clientId, correctsId }) => journal.draft(clientId, correctsId),
    delete: async ({ clientId, correctsId }) => ({ deleted: await journal.deleteDraft(clientId, correctsId) }),
  };
}
