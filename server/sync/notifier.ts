/**
 * In-process fan-out of "these units changed" to the open event streams of this server node.
 * Fed directly after a committed push or purge (fast path), and by LISTEN sync_changes (the change
 * trigger's pg_notify, delivered at commit on every node) so that writes through other nodes, or
 * straight into the database, reach this node's workstations too. Duplicates are harmless: every
 * stream coalesces what arrives within a short window into one event.
 */
export type SyncSignal = { unitIds: readonly string[] } | { all: true };

export class SyncNotifier {
  private readonly listeners = new Set<(signal: SyncSignal) => void>();

  subscribe(listener: (signal: SyncSignal) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  publish(unitIds: Iterable<string>): void {
    const ids = [...new Set(unitIds)];
    if (ids.length > 0) this.emit({ unitIds: ids });
  }

  /** Something may have been missed (a lost LISTEN connection): every stream should pull all its units. */
  publishAll(): void {
    this.emit({ all: true });
  }

  get size(): number {
    return this.listeners.size;
  }

  private emit(signal: SyncSignal): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch {
        // One broken stream must not keep the others from hearing.
      }
    }
  }
}

/** The channel the change trigger notifies (server/migrations/0003_sync.sql, sync_append_change). */
export const SYNC_CHANNEL = 'sync_changes';
