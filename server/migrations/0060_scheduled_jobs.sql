-- Scheduled jobs run once across server nodes (server/db/schedule.ts): a node runs a job only when
-- it is the one that moves the job's last start forward, which it may do only once the interval
-- has passed since the last start by any node.
CREATE TABLE scheduled_job_runs (
  name text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  -- Which node started it (host and process id), for the operator reading this table.
  node text NOT NULL
);
