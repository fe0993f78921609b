import { hostname } from 'node:os';
import type { Queryable } from './types';

/**
 * Jobs that run on a schedule once across every server node on one database (the hourly retention,
 * the 10-minute purge of dead login state): each node checks every `checkMs`, and runs the job only
 * when it claims it — moves the job's last start (table scheduled_job_runs, migration 0060) to now,
 * which succeeds for one node only and only once `intervalMs` has passed since any node last
 * started it. A plain row update, so it works through a transaction-mode PgBouncer, needs no
 * leader, and a node that dies mid-run only delays the next run to the next interval.
 */
export interface ScheduledJob {
  db: Queryable;
  /** The job's name in scheduled_job_runs. */
  name: string;
  intervalMs: number;
  /** How often a node looks whether the job is due; default the interval, at most a minute. */
  checkMs?: number;
  run: () => Promise<void>;
  onError: (error: unknown) => void;
}

/** This process, as the node column shows it. */
export const NODE_NAME = `${hostname()}:${process.pid}`;

/** Whether this node may start `name` now (and, if so, the start is recorded). */
export async function claimRun(db: Queryable, name: string, intervalMs: number, node = NODE_NAME): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO scheduled_job_runs (name, started_at, node) VALUES ($1, clock_timestamp(), $3)
     ON CONFLICT (name) DO UPDATE SET started_at = clock_timestamp(), node = $3
       WHERE scheduled_job_runs.started_at <= clock_timestamp() - make_interval(secs => $2::double precision / 1000)
     RETURNING 1`,
    [name, intervalMs, node],
  );
  return rows.length > 0;
}

/** Looks now and every `checkMs`; the returned function stops it and waits for a run in flight. */
export function startScheduledJob(job: ScheduledJob): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = claimRun(job.db, job.name, job.intervalMs)
      .then((claimed) => (claimed ? job.run() : undefined))
      .catch(job.onError)
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, job.checkMs ?? Math.min(job.intervalMs, 60_000));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
