import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { AccessEventInput, AppError, Mutation } from '#contract';
import { prepareAll } from './kind';
import type { OutboxEntry, Refusal } from './types';

/**
 * The outbox (mutations not yet acknowledged by the server, in the order they were made), the
 * refusals (mutations refused for good, kept with their text) and the access-event outbox. No
 * kind is named here: a mutation's local write and its undo are its kind's (kind.ts).
 */
/** Said with a kept draft (the refusal's message). */
export const DRAFT_KEPT = 'Behörigheten till brukarens enhet har upphört, så utkastet kan inte sparas i journalen. Texten finns kvar här: kopiera den innan du stänger.';

export class OutboxSql {
  private readonly st;

  constructor(db: Database) {
    this.st = prepareAll(db, {
      ofUnit: 'SELECT mutation_id, type, json FROM outbox WHERE unit_id = ? ORDER BY seq',
      insertRefusal: `INSERT INTO refusals (mutation_id, type, code, message, json, at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (mutation_id) DO UPDATE SET code = excluded.code, message = excluded.message, at = excluded.at, dismissed = 0`,
      del: 'DELETE FROM outbox WHERE mutation_id = ?',
      row: 'SELECT mutation_id, type, json, record_id FROM outbox WHERE mutation_id = ?',
      insert: `INSERT INTO outbox (mutation_id, type, json, unit_id, record_id, enqueued_at) VALUES (?, ?, ?, ?, ?, ?)`,
      // Not parked or set aside, and no earlier write of the same record waiting so (order per record).
      list: `SELECT type, json, attempts, last_error, enqueued_at FROM outbox o
        WHERE o.set_aside_server IS NULL AND (o.parked_until IS NULL OR o.parked_until <= @now)
          AND NOT EXISTS (SELECT 1 FROM outbox b WHERE b.record_id = o.record_id AND b.seq < o.seq
                          AND (b.set_aside_server IS NOT NULL OR b.parked_until > @now))
        ORDER BY seq LIMIT @limit`,
      count: 'SELECT count(*) AS n FROM outbox WHERE set_aside_server IS NULL',
      // Never shortens a longer park (a mutation's own and its kind's).
      park: `UPDATE outbox SET parked_until = max(coalesce(parked_until, ''), @until) WHERE mutation_id = @mutationId`,
      parkKind: `UPDATE outbox SET parked_until = max(coalesce(parked_until, ''), @until) WHERE set_aside_server IS NULL AND substr(type, 1, length(@kind) + 1) = @kind || '.'`,
      nextParked: 'SELECT min(parked_until) AS at FROM outbox WHERE set_aside_server IS NULL AND parked_until > ?',
      setAside: 'UPDATE outbox SET set_aside_server = ? WHERE mutation_id = ?',
      setAsideServers: 'SELECT DISTINCT set_aside_server AS server FROM outbox WHERE set_aside_server IS NOT NULL',
      toRelease: 'SELECT mutation_id FROM outbox WHERE set_aside_server IS NOT NULL AND set_aside_server <> ?',
      release: 'UPDATE outbox SET set_aside_server = NULL, parked_until = NULL, server_failures = 0 WHERE mutation_id = ?',
      delRefusal: 'DELETE FROM refusals WHERE mutation_id = ?',
      noteAttempt: 'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE mutation_id = ?',
      // The same error as last time counts on; another error starts the count again ("in a row").
      noteServerFailure: `UPDATE outbox SET attempts = attempts + 1,
          server_failures = CASE WHEN last_error IS @error THEN server_failures + 1 ELSE 1 END, last_error = @error
        WHERE mutation_id = @mutationId RETURNING server_failures`,
      refusals: 'SELECT mutation_id, type, code, message, json, at FROM refusals WHERE dismissed = 0 ORDER BY at, mutation_id',
      dismissRefusal: 'UPDATE refusals SET dismissed = 1 WHERE mutation_id = ?',
      enqueueAccess: 'INSERT INTO access_outbox (json) VALUES (?)',
      accessOutbox: 'SELECT seq, json FROM access_outbox ORDER BY seq LIMIT ?',
      ackAccess: 'DELETE FROM access_outbox WHERE seq = ?',
    });
  }

  has(mutationId: string): boolean {
    return this.st.row.get(mutationId) !== undefined;
  }

  add(m: Mutation, unitId: string): void {
    this.st.insert.run(m.mutationId, m.type, JSON.stringify(m), unitId, m.record.id, new Date().toISOString());
  }

  /** The unit left the scope: its queued mutations become refusals (PERMISSION_ENDED), nothing is lost silently. */
  refuseUnit(unitId: string): void {
    const at = new Date().toISOString();
    for (const o of this.st.ofUnit.all(unitId) as { mutation_id: string; type: string; json: string }[]) {
      this.st.insertRefusal.run(o.mutation_id, o.type, 'PERMISSION_ENDED', 'Behörigheten till enheten har upphört; ändringen skickades inte.', o.json, at);
      this.st.del.run(o.mutation_id);
    }
  }

  /**
   * A half-written journal entry of a unit that left the scope (issue 32): kept as a refusal with
   * its text, shown under the status bar with "Kopiera texten", instead of going with the unit.
   */
  keepDraft(draft: { text: string }): void {
    const json = JSON.stringify({ type: 'journal_entry.draft', record: { text: draft.text } });
    this.st.insertRefusal.run(randomUUID(), 'journal_entry.draft', 'PERMISSION_ENDED', DRAFT_KEPT, json, new Date().toISOString());
  }

  /** Moves a queued mutation to the refusals; returns its type and record id (for the kind's undo), or null when not queued. */
  refuse(mutationId: string, error: Pick<AppError, 'code' | 'message'>): { type: Mutation['type']; recordId: string } | null {
    const row = this.st.row.get(mutationId) as { mutation_id: string; type: Mutation['type']; json: string; record_id: string } | undefined;
    if (!row) return null;
    this.st.insertRefusal.run(mutationId, row.type, error.code, error.message, row.json, new Date().toISOString());
    this.st.del.run(mutationId);
    return { type: row.type, recordId: row.record_id };
  }

  list(limit: number, now = new Date()): OutboxEntry[] {
    return (this.st.list.all({ limit, now: now.toISOString() }) as { type: OutboxEntry['type']; json: string; attempts: number; last_error: string | null; enqueued_at: string }[]).map((r) => ({
      mutation: JSON.parse(r.json) as Mutation,
      type: r.type,
      attempts: r.attempts,
      lastError: r.last_error,
      enqueuedAt: r.enqueued_at,
    }));
  }

  count(): number {
    return (this.st.count.get() as { n: number }).n;
  }

  delete(mutationId: string): void {
    this.st.del.run(mutationId);
    // A set-aside notice of it, if any, has served its purpose.
    this.st.delRefusal.run(mutationId);
  }

  /** Not sent again before `until`; the queue goes on past it (other records). */
  park(mutationId: string, until: Date): void {
    this.st.park.run({ until: until.toISOString(), mutationId });
  }

  /** Every queued mutation of `kind` (journal_entry, day_note, …) waits until `until`: the kind fails as a whole (an outage). */
  parkKind(kind: string, until: Date): void {
    this.st.parkKind.run({ until: until.toISOString(), kind });
  }

  /** When the first parked mutation may go again; null when none waits. */
  nextParked(now = new Date()): string | null {
    return (this.st.nextParked.get(now.toISOString()) as { at: string | null }).at;
  }

  /**
   * A poison pill: kept in the outbox (its local record stays), not sent again while the server is
   * `server`; the user is told by a refusal notice that holds its text.
   */
  setAside(mutationId: string, server: string, error: Pick<AppError, 'code' | 'message'>): void {
    const row = this.st.row.get(mutationId) as { type: string; json: string } | undefined;
    if (!row) return;
    this.st.setAside.run(server, mutationId);
    this.st.insertRefusal.run(mutationId, row.type, error.code, error.message, row.json, new Date().toISOString());
  }

  setAsideServers(): string[] {
    return (this.st.setAsideServers.all() as { server: string }[]).map((r) => r.server);
  }

  /** The server is another now (version or restart): what was set aside on an earlier one goes again. */
  releaseSetAside(server: string): number {
    const ids = (this.st.toRelease.all(server) as { mutation_id: string }[]).map((r) => r.mutation_id);
    for (const id of ids) {
      this.st.release.run(id);
      this.st.delRefusal.run(id);
    }
    return ids.length;
  }

  noteAttempt(mutationId: string, error: string | null): void {
    this.st.noteAttempt.run(error, mutationId);
  }

  /**
   * The server answered this mutation, sent alone, with an error (5xx or an answer that does not
   * parse) while it otherwise worked. Returns how often in a row it did so with the same error;
   * 0 when the mutation is no longer queued.
   */
  noteServerFailure(mutationId: string, error: string): number {
    const row = this.st.noteServerFailure.get({ error, mutationId }) as { server_failures: number } | undefined;
    return row?.server_failures ?? 0;
  }

  refusals(): Refusal[] {
    return (this.st.refusals.all() as { mutation_id: string; type: Refusal['type']; code: Refusal['code']; message: string; json: string; at: string }[]).map((r) => ({
      mutationId: r.mutation_id,
      type: r.type,
      code: r.code,
      message: r.message,
      text: writtenText(r.json),
      at: r.at,
    }));
  }

  dismissRefusal(mutationId: string): void {
    this.st.dismissRefusal.run(mutationId);
  }

  enqueueAccess(e: AccessEventInput): void {
    this.st.enqueueAccess.run(JSON.stringify(e));
  }

  accessOutbox(limit: number): { seq: number; event: AccessEventInput }[] {
    return (this.st.accessOutbox.all(limit) as { seq: number; json: string }[]).map((r) => ({ seq: r.seq, event: JSON.parse(r.json) as AccessEventInput }));
  }

  ackAccess(seq: number): void {
    this.st.ackAccess.run(seq);
  }
}

/**
 * What the user wrote in a refused mutation, shown with the refusal so it can be copied and is
 * never lost: a record's `text` (journal entries, day notes) or `reason` (a felmarkering).
 */
function writtenText(json: string): string | null {
  const record = (JSON.parse(json) as { record?: Record<string, unknown> }).record ?? {};
  const text = record.text ?? record.reason;
  return typeof text === 'string' ? text : null;
}
