import type { ApiHandlers } from '#contract';
import type { LocalStore } from '../store/types';
import type { JournalService } from './journal-service';

/** The `journal` and `drafts` API namespaces over the journal service (docs/journal.md). */
export function journalHandlers(
  journal: JournalService,
  deps: { store: () => Promise<LocalStore>; signature: () => string },
): Pick<ApiHandlers<unknown>, 'journal' | 'drafts'> {
  return {
    journal: {
      // Opening a client's journal is a read in the access log (JournalService.list).
      list: (q) => journal.list(q),
      create: (input) => journal.create(input),
      markErroneous: ({ entryId, reason }) => journal.markErroneous(entryId, reason),
      correct: (input) => journal.correct(input),
      export: async ({ clientId, from, to, how }) => journal.exportPdf(clientId, deps.signature(), { from, to, how }),
    },
    drafts: {
      save: (draft) => journal.saveDraft(draft),
      get: ({ clientId, correctsId }) => journal.draft(clientId, correctsId),
      delete: async ({ clientId, correctsId }) => ({ deleted: await journal.deleteDraft(clientId, correctsId) }),
    },
  };
}
