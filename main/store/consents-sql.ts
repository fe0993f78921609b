import { AppFailure, CONSENT_MESSAGES, ConsentRecord, consentDateInFuture, consentText, type Author, type LocalConsent } from '#contract';
import { defineStoreKind, prepareAll, utc, type KindPart, type LocalMutations, type StoreContext, type UpsertOf } from './kind';

/**
 * The consent register in the store (docs/consents.md). A row holds the consent as last pulled
 * (`record`, null until the server has it) and as shown (`view`): a consent or a withdrawal still
 * queued is shown from its mutation. Recording or withdrawing is a local write and an outbox row in
 * one transaction (offline like every write).
 */

const SCHEMA = `
  CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    given_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    record TEXT,               -- ConsentRecord as last pulled; null: not on the server yet
    view TEXT NOT NULL         -- ConsentRecord as the user sees it
  );
  CREATE INDEX consents_client ON consents (client_id, given_on DESC, created_at DESC, id);
  CREATE INDEX consents_unit ON consents (unit_id);`;

type Row = { unit_id: string; record: string | null; view: string };

export class ConsentsSql implements KindPart<'consent'> {
  private readonly st;
  readonly mutations: LocalMutations<'consent'>;

  constructor(private readonly ctx: StoreContext) {
    const st = prepareAll(ctx.db, {
      row: 'SELECT unit_id, record, view FROM consents WHERE id = ?',
      write: `INSERT INTO consents (id, unit_id, client_id, given_on, created_at, record, view) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, client_id = excluded.client_id, given_on = excluded.given_on,
          created_at = excluded.created_at, record = excluded.record, view = excluded.view`,
      setView: 'UPDATE consents SET view = ? WHERE id = ?',
      del: 'DELETE FROM consents WHERE id = ?',
      purge: 'DELETE FROM consents WHERE unit_id = ?',
      queued: 'SELECT 1 FROM outbox WHERE record_id = ? LIMIT 1',
      ofClient: `SELECT c.view, EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = c.id) AS pending
        FROM consents c JOIN units u ON u.unit_id = c.unit_id WHERE c.client_id = ? ORDER BY c.given_on DESC, c.created_at DESC, c.id DESC`,
      one: `SELECT c.view, EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = c.id) AS pending
        FROM consents c JOIN units u ON u.unit_id = c.unit_id WHERE c.id = ?`,
    });
    this.st = st;
    this.mutations = {
      'consent.record': {
        apply: (m, author: Author, createdAt: string) => {
          const r = m.record;
          const unitId = this.ctx.unitOfClient(r.clientId);
          // Refused here, at once and in the server's words, rather than queued and refused later.
          if (consentDateInFuture(r.givenOn, new Date(createdAt))) throw AppFailure.rule('VALIDATION', CONSENT_MESSAGES.consentFuture);
          if (st.row.get(r.id)) throw new AppFailure('CONFLICT', 'another record has the same id');
          const at = utc(createdAt);
          const view: ConsentRecord = { ...r, unitId, otherText: consentText(r.otherText), note: consentText(r.note), author, createdAt: at, withdrawal: null };
          st.write.run(r.id, unitId, r.clientId, r.givenOn, at, null, JSON.stringify(view));
          return unitId;
        },
        // Refused for good: a consent the server never had goes (the mutation stays in the refusals).
        undo: (id: string) => {
          const row = st.row.get(id) as Row | undefined;
          if (row && row.record === null) st.del.run(id);
        },
      },
      'consent.withdraw': {
        apply: (m, author: Author, createdAt: string) => {
          const row = st.row.get(m.record.id) as Row | undefined;
          if (!row || !this.ctx.unitInScope(row.unit_id)) throw AppFailure.rule('NOT_FOUND', CONSENT_MESSAGES.consentMissing);
          const view = JSON.parse(row.view) as ConsentRecord;
          if (view.answer !== 'given') throw AppFailure.rule('CONFLICT', CONSENT_MESSAGES.consentNotGiven);
          if (view.withdrawal) throw AppFailure.rule('CONFLICT', CONSENT_MESSAGES.consentWithdrawnAlready);
          if (m.record.withdrawnOn < view.givenOn) throw AppFailure.rule('VALIDATION', CONSENT_MESSAGES.consentWithdrawBeforeGiven);
          if (consentDateInFuture(m.record.withdrawnOn, new Date(createdAt))) throw AppFailure.rule('VALIDATION', CONSENT_MESSAGES.consentFuture);
          const withdrawal = { withdrawnOn: m.record.withdrawnOn, reason: m.record.reason.trim(), by: author, at: utc(createdAt) };
          st.setView.run(JSON.stringify({ ...view, withdrawal }), m.record.id);
          return row.unit_id;
        },
        // Refused for good: the consent is shown as the server has it (not withdrawn, or withdrawn by someone else).
        undo: (id: string) => {
          const row = st.row.get(id) as Row | undefined;
          if (!row) return;
          const pulled = row.record ? (JSON.parse(row.record) as ConsentRecord) : null;
          st.setView.run(JSON.stringify({ ...(JSON.parse(row.view) as ConsentRecord), withdrawal: pulled?.withdrawal ?? null }), id);
        },
      },
    };
  }

  upsert(changes: UpsertOf<'consent'>[]): void {
    for (const c of changes) {
      const r = c.record;
      let view: ConsentRecord = r;
      // A withdrawal still queued stays shown until the server has it (a pull may come first).
      if (r.withdrawal === null && this.st.queued.get(r.id)) {
        const old = this.st.row.get(r.id) as Row | undefined;
        const shown = old ? (JSON.parse(old.view) as ConsentRecord) : null;
        if (shown?.withdrawal) view = { ...r, withdrawal: shown.withdrawal };
      }
      this.st.write.run(r.id, c.unitId, r.clientId, r.givenOn, r.createdAt, JSON.stringify(r), JSON.stringify(view));
    }
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  record(id: string): ConsentRecord | null {
    const row = this.st.row.get(id) as Row | undefined;
    return row?.record ? ConsentRecord.parse(JSON.parse(row.record)) : null;
  }

  // ---- reads ----

  /** A client's consents in the user's units, the latest given first, each with whether something of it waits to be sent. */
  ofClient(clientId: string): LocalConsent[] {
    return (this.st.ofClient.all(clientId) as { view: string; pending: number }[]).map((r) => ({ ...(JSON.parse(r.view) as ConsentRecord), pending: r.pending === 1 }));
  }

  get(id: string): LocalConsent | null {
    const r = this.st.one.get(id) as { view: string; pending: number } | undefined;
    return r ? { ...(JSON.parse(r.view) as ConsentRecord), pending: r.pending === 1 } : null;
  }
}

export const consentsStore = defineStoreKind({
  name: 'consent',
  schema: [{ version: 16, name: 'consent register', sql: SCHEMA }],
  open: (ctx) => new ConsentsSql(ctx),
});
