import { api } from '../../bridge';

/**
 * Copying text of a client's journal or notes to the clipboard is an access-log event. Called from
 * the containers' `copy` handler: the record is the one the selection starts in, when it is one
 * (`data-record-id`, and `data-client-id` in the unit-wide feed, where notes are of many clients).
 */
export function reportCopy(clientId: string | null, wholeType: 'journal' | 'day_notes', recordType: 'journal_entry' | 'day_note'): void {
  const anchor = document.getSelection()?.anchorNode ?? null;
  const el = anchor instanceof Element ? anchor : anchor?.parentElement;
  const record = el?.closest<HTMLElement>('[data-record-id]');
  const recordId = record?.dataset.recordId;
  const client = record?.dataset.clientId ?? clientId;
  if (!client) return; // a unit note about no client
  void api.audit.copied(recordId ? { clientId: client, recordType, recordId } : { clientId: client, recordType: wholeType });
}
