import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { JournalDraft, SavedDraft } from '#contract';
import { prepareAll, utc } from './kind';

/** Half-written journal entries (docs/journal.md): one per client and corrected entry, purged with their unit. */
export class DraftsSql {
  private readonly st;

  constructor(db: Database) {
    this.st = prepareAll(db, {
      save: `INSERT INTO drafts (client_id, corrects_id, unit_id, json, saved_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (client_id, corrects_id) DO UPDATE SET unit_id = excluded.unit_id, json = excluded.json, saved_at = excluded.saved_at`,
      get: 'SELECT d.json, d.saved_at FROM drafts d JOIN units u ON u.unit_id = d.unit_id WHERE d.client_id = ? AND d.corrects_id = ?',
      del: 'DELETE FROM drafts WHERE client_id = ? AND corrects_id = ?',
      purge: 'DELETE FROM drafts WHERE unit_id = ?',
      ofUnit: 'SELECT client_id, corrects_id, json FROM drafts WHERE unit_id = ?',
    });
  }

  save(draft: JournalDraft, unitId: string, savedAt: string): SavedDraft {
    this.st.save.run(draft.clientId, draft.correctsId ?? '', unitId, JSON.stringify(draft), utc(savedAt));
    return { ...draft, savedAt: utc(savedAt) };
  }

  get(clientId: string, correctsId: string | null): SavedDraft | null {
    const r = this.st.get.get(clientId, correctsId ?? '') as { json: string; saved_at: string } | undefined;
    return r ? { ...(JSON.parse(r.json) as JournalDraft), savedAt: r.saved_at } : null;
  }

  delete(clientId: string, correctsId: string | null): boolean {
    return this.st.del.run(clientId, correctsId ?? '').changes > 0;
  }

  /** The unit's drafts, going with the unit: the caller keeps their text where the user finds it (the refusals). */
  ofUnit(unitId: string): JournalDraft[] {
    return (this.st.ofUnit.all(unitId) as { json: string }[]).map((r) => JSON.parse(r.json) as JournalDraft);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }
}
