import { readFileSync } from 'node:fs';
import type { Db } from '../server/db/types';

/**
 * What can make `sync_from_empty_s` differ between two machines of the same kind besides the code
 * (issue 14: 3.5–4.5 s measured elsewhere against 1.9–2.9 s here): the database's settings, whether
 * its cache was cold during the sync (blocks read from outside shared_buffers against blocks found
 * in them), whether the cluster was created for this run or has served runs before, how long the
 * machine and the database have been up, the page cache, and the file systems the database and the
 * store write to (tmpfs makes fsync free). bench/sync.ts reports them beside the figures.
 */

const SETTINGS = [
  'server_version', 'shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem', 'fsync', 'synchronous_commit',
  'full_page_writes', 'wal_level', 'wal_buffers', 'max_wal_size', 'checkpoint_timeout', 'jit', 'random_page_cost',
  'effective_io_concurrency', 'huge_pages', 'max_connections', 'data_directory',
];

export interface DbStats {
  blks_read: number;
  blks_hit: number;
  tup_returned: number;
  tup_fetched: number;
  temp_bytes: number;
  xact_commit: number;
  /** Checkpoints started (timed + requested) and buffers they wrote: a checkpoint during the sync competes for I/O. */
  checkpoints: number;
  buffers_checkpoint: number;
}

export interface DbConditions {
  kind: string;
  settings: Record<string, string>;
  stats: DbStats | null;
  uptime_s: number | null;
  size_mb: number | null;
  /** Runs of this benchmark the database had served before this one (its units are left behind). */
  earlier_runs: number;
  data_fs: string | null;
}

async function readStats(db: Db): Promise<DbStats | null> {
  try {
    await db.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await db.query<Record<keyof DbStats, string>>(
      `SELECT blks_read::text, blks_hit::text, tup_returned::text, tup_fetched::text, temp_bytes::text, xact_commit::text
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    const { rows: bg } = await db.query<{ checkpoints: string; buffers_checkpoint: string }>(
      'SELECT (checkpoints_timed + checkpoints_req)::text AS checkpoints, buffers_checkpoint::text FROM pg_stat_bgwriter',
    );
    const r = rows[0] && bg[0] ? { ...rows[0], ...bg[0] } : undefined;
    return r ? (Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as unknown as DbStats) : null;
  } catch {
    return null;
  }
}

/**
 * The database's counters once the backends have reported theirs: PostgreSQL flushes a backend's
 * statistics at most once a second, when it is idle, so they are read until two readings 1.2 s
 * apart agree (at most ~12 s).
 */
async function settledStats(db: Db): Promise<DbStats | null> {
  let last = await readStats(db);
  for (let i = 0; i < 10 && last; i++) {
    await new Promise((r) => setTimeout(r, 1200));
    const next = await readStats(db);
    // Our own reading adds a transaction and a few blocks: compare what the sync moves.
    if (next && next.blks_read === last.blks_read && next.tup_returned - last.tup_returned < 1000) return next;
    last = next;
  }
  return last;
}

export async function dbConditions(db: Db, benchUnitPrefix: string): Promise<DbConditions> {
  const settings: Record<string, string> = {};
  let uptime: number | null = null;
  let size: number | null = null;
  try {
    const { rows } = await db.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1::text[])`,
      [SETTINGS],
    );
    for (const r of rows) settings[r.name] = r.setting;
    const { rows: up } = await db.query<{ s: string | null; mb: string }>(
      `SELECT extract(epoch FROM now() - pg_postmaster_start_time())::text AS s, (pg_database_size(current_database()) / 1048576)::text AS mb`,
    );
    uptime = up[0]?.s != null ? Math.round(Number(up[0].s)) : null;
    size = up[0] ? Number(up[0].mb) : null;
  } catch {
    // PGlite: no postmaster, fewer settings
  }
  const { rows: runs } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM units WHERE name LIKE $1`, [`${benchUnitPrefix}%`]);
  return {
    kind: db.kind,
    settings,
    stats: await settledStats(db),
    uptime_s: uptime,
    size_mb: size,
    earlier_runs: Math.max(0, (runs[0]?.n ?? 1) - 1),
    data_fs: settings.data_directory ? fsOf(settings.data_directory) : null,
  };
}

/** The during-sync share of block reads that missed PostgreSQL's shared buffers. */
export function cacheDuring(before: DbStats | null, after: DbStats | null): Record<string, number | boolean> | null {
  if (!before || !after) return null;
  const read = after.blks_read - before.blks_read;
  const hit = after.blks_hit - before.blks_hit;
  const total = read + hit;
  return {
    blks_read: read,
    blks_hit: hit,
    hit_pct: total > 0 ? Math.round((hit / total) * 1000) / 10 : 100,
    temp_bytes: after.temp_bytes - before.temp_bytes,
    checkpoints: after.checkpoints - before.checkpoints,
    buffers_checkpoint: after.buffers_checkpoint - before.buffers_checkpoint,
    // More than 1 % of the blocks from outside shared buffers (the OS cache or the disk): cold.
    cold: total > 0 && read / total > 0.01,
  };
}

/** The file system type of the mount holding `path` (/proc/mounts; null elsewhere). */
export function fsOf(path: string): string | null {
  try {
    let best: { at: string; type: string } | null = null;
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, at, type] = line.split(' ');
      if (!at || !type) continue;
      if ((path === at || path.startsWith(at.endsWith('/') ? at : `${at}/`)) && (!best || at.length > best.at.length)) best = { at, type };
    }
    return best?.type ?? null;
  } catch {
    return null;
  }
}

/** How long the machine has been up, and its memory and page cache now (Linux; nulls elsewhere). */
export function machineConditions(): { uptime_s: number | null; mem_available_mb: number | null; page_cache_mb: number | null } {
  const meminfo = (key: string): number | null => {
    try {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'));
      return m ? Math.round(Number(m[1]) / 1024) : null;
    } catch {
      return null;
    }
  };
  let uptime: number | null = null;
  try {
    uptime = Math.round(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]));
  } catch {
    // not Linux
  }
  return { uptime_s: uptime, mem_available_mb: meminfo('MemAvailable'), page_cache_mb: meminfo('Cached') };
}
