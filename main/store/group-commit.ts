import type Database from 'better-sqlite3-multiple-ciphers';
import { dropFillIndexes, restoreFillIndexes, restoreWriteSettings } from './bulk-fill';

/** Pull pages applied in one transaction until this many changes (see GroupCommit). */
export const GROUP_COMMIT_CHANGES = 10_000;
/**
 * The same while an empty store is filled under a rollback journal: each commit writes (and
 * encrypts) every page it dirtied, and a fresh file's index pages are dirtied by every page, so
 * one commit for a 50k-record first sync instead of five took a quarter off the worker's time.
 * Still bounded, so a crash in a very large first sync loses at most this many pulled changes.
 */
export const BULK_GROUP_COMMIT_CHANGES = 100_000;

/**
 * The group commit of the pull pages (SqlStore.applyPulledPage). One transaction spans the pages
 * of a run until GROUP_COMMIT_CHANGES changes or the run's last page (`hasMore: false`), and any
 * other store call commits it first (`settle`, called by the worker before every other method). A
 * commit costs in proportion to the pages it dirties, and 2,000 changes scattered over the
 * indexes dirty nearly as many pages as 10,000 do, so one commit per page made a first sync
 * several times slower. Nothing the user wrote waits in such a transaction (writes settle it
 * first), and the cursors are in it, so a crash loses only pulled changes, which are pulled again.
 */
export class GroupCommit {
  private group: { changes: number; bulk: boolean; deferredIndexes: string[] } | null = null;

  /** `isEmpty`: the store has no cursors and no outbox (a first sync or a resync). */
  constructor(
    private readonly db: Database.Database,
    private readonly isEmpty: () => boolean,
  ) {}

  /** Applies one page (`apply`, its `changes` changes) in the open group, opening one if none is. */
  apply(changes: number, hasMore: boolean, apply: () => void): void {
    const group = this.group ?? this.open();
    try {
      apply();
      group.changes += changes;
      if (hasMore && group.changes >= (group.bulk ? BULK_GROUP_COMMIT_CHANGES : GROUP_COMMIT_CHANGES)) {
        restoreFillIndexes(this.db, group.deferredIndexes);
        this.db.exec('COMMIT');
        this.db.exec('BEGIN IMMEDIATE');
        group.changes = 0;
      }
    } catch (e) {
      // Not committed: the pages (and their cursors) are pulled again by the next run.
      this.group = null;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      restoreWriteSettings(this.db, group.bulk);
      throw e;
    }
    if (!hasMore) {
      this.settle();
      // The run is over: now copy the WAL into the file, once.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }

  private open(): NonNullable<GroupCommit['group']> {
    // Pulled changes need no fsync of their own: the server has them. NORMAL keeps the file
    // consistent and the order of commits, and the next user write (FULL) syncs them.
    // No automatic checkpoints during the run either: one at its end copies each page once,
    // where one per commit copied the same index pages again and again.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('wal_autocheckpoint = 0');
    // Filling an empty store (first sync, resync), the pages go straight into the file under a
    // rollback journal instead of through the WAL: the checkpoint at the end would decrypt and
    // encrypt the whole new file once more (SQLite3MultipleCiphers encrypts at the file level),
    // ~0.4 s of a 50k-record first sync. The journal holds the few pages the empty file had, is
    // encrypted as the WAL is, and a crash rolls the open group back as it would in WAL mode.
    // Back to WAL when the group ends (restoreWriteSettings).
    const bulk = this.isEmpty();
    if (bulk) this.db.pragma('journal_mode = DELETE');
    this.db.exec('BEGIN IMMEDIATE');
    this.group = { changes: 0, bulk, deferredIndexes: bulk ? dropFillIndexes(this.db) : [] };
    return this.group;
  }

  /**
   * Commits the pages applied since the last commit and restores the write settings. Cheap when
   * called by another call in the middle of a run: the checkpoint waits for the run's last page
   * (or SQLite's own, once automatic checkpoints are back on).
   */
  settle(): void {
    if (!this.group) return;
    const group = this.group;
    this.group = null;
    try {
      restoreFillIndexes(this.db, group.deferredIndexes);
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    } finally {
      restoreWriteSettings(this.db, group.bulk);
    }
  }
}
