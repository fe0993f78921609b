import { AppFailure, because, DEVIATION_MESSAGES, DeviationRecord, deviationInFuture, type Author, type LocalDeviation } from '#contract';
import { defineStoreKind, prepareAll, utc, type KindPart, type LocalMutations, type StoreContext, type UpsertOf } from './kind';

/**
 * The user's own deviation reports in the store (docs/deviations.md): the server sends a
 * deviation only to its reporter, so every row here is the user's. A row holds the record as last
 * pulled (`record`, null until the server has it) and as shown (`view`): a report still queued is
 * shown from the mutation, status "Rapporterad". Reporting one is a local insert and an outbox row
 * in one transaction (offline like every write).
 */

const SCHEMA = `
  CREATE TABLE deviations (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    record TEXT,               -- DeviationRecord as last pulled; null: not on the server yet
    view TEXT NOT NULL         -- DeviationRecord as the user sees it
  );
  CREATE INDEX deviations_reported ON deviations (reported_at DESC, id);
  CREATE INDEX deviations_unit ON deviations (unit_id);`;

export class DeviationsSql implements KindPart<'deviation'> {
  private readonly st;
  readonly mutations: LocalMutations<'deviation'>;

  constructor(private readonly ctx: StoreContext) {
    this.st = prepareAll(ctx.db, {
      row: 'SELECT unit_id, record FROM deviations WHERE id = ?',
      write: `INSERT INTO deviations (id, unit_id, reported_at, record, view) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, reported_at = excluded.reported_at, record = excluded.record, view = excluded.view`,
      del: 'DELETE FROM deviations WHERE id = ?',
      purge: 'DELETE FROM deviations WHERE unit_id = ?',
      assignment: 'SELECT unit_id, client_id FROM assignments WHERE id = ?',
      mine: `SELECT d.view, EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = d.id) AS pending
        FROM deviations d JOIN units u ON u.unit_id = d.unit_id ORDER BY d.reported_at DESC, d.id DESC LIMIT ?`,
      one: `SELECT d.view, EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = d.id) AS pending FROM deviations d JOIN units u ON u.unit_id = d.unit_id WHERE d.id = ?`,
    });
    this.mutations = {
      'deviation.report': {
        apply: (m, author: Author, createdAt: string) => {
          const r = m.record;
          if (!this.ctx.unitInScope(r.unitId)) throw new AppFailure('FORBIDDEN', 'unit not in the user\'s scope', because('DEVIATION_UNIT_NOT_PERMITTED'));
          if (r.clientId !== null && this.ctx.unitOfClient(r.clientId) !== r.unitId) throw new AppFailure('VALIDATION', 'client not in the unit', because('DEVIATION_CLIENT_NOT_IN_UNIT'));
          if (r.assignmentId !== null) {
            const a = this.st.assignment.get(r.assignmentId) as { unit_id: string; client_id: string } | undefined;
            if (!a || a.unit_id !== r.unitId || a.client_id !== r.clientId) throw AppFailure.rule('VALIDATION', DEVIATION_MESSAGES.deviationAssignment);
          }
          // Refused here, at once and in Swedish, rather than queued and refused by the server later.
          if (deviationInFuture(r.occurredAt, new Date(createdAt))) throw AppFailure.rule('VALIDATION', DEVIATION_MESSAGES.deviationFuture);
          if (this.st.row.get(r.id)) throw new AppFailure('CONFLICT', 'another record has the same id');
          const at = utc(createdAt);
          const view: DeviationRecord = {
            ...r,
            place: r.place.trim(),
            occurredAt: utc(r.occurredAt),
            reportedBy: author,
            reportedAt: at,
            status: 'reported',
            decision: null,
            closedAt: null,
          };
          this.st.write.run(r.id, r.unitId, at, null, JSON.stringify(view));
          return r.unitId;
        },
        // Refused for good: a report the server never had goes (its text stays in the refusals).
        undo: (id: string) => {
          const row = this.st.row.get(id) as { record: string | null } | undefined;
          if (row && row.record === null) this.st.del.run(id);
        },
      },
    };
  }

  upsert(changes: UpsertOf<'deviation'>[]): void {
    for (const c of changes) this.st.write.run(c.id, c.unitId, c.record.reportedAt, JSON.stringify(c.record), JSON.stringify(c.record));
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  record(id: string): DeviationRecord | null {
    const row = this.st.row.get(id) as { record: string | null } | undefined;
    return row?.record ? DeviationRecord.parse(JSON.parse(row.record)) : null;
  }

  // ---- reads ----

  /** The user's own reports in her units, newest first, with whether each still waits to be sent. */
  mine(limit: number): LocalDeviation[] {
    return (this.st.mine.all(limit) as { view: string; pending: number }[]).map((r) => ({ ...(JSON.parse(r.view) as DeviationRecord), pending: r.pending === 1 }));
  }

  get(id: string): LocalDeviation | null {
    const r = this.st.one.get(id) as { view: string; pending: number } | undefined;
    return r ? { ...(JSON.parse(r.view) as DeviationRecord), pending: r.pending === 1 } : null;
  }
}

export const deviationsStore = defineStoreKind({
  name: 'deviation',
  schema: [{ version: 11, name: 'deviation reports', sql: SCHEMA }],
  open: (ctx) => new DeviationsSql(ctx),
});
