-- Rate limits shared by every server node (server/http/rate-limit.ts): one row per key and fixed
-- window, counted up with an upsert. Rows of past windows are deleted by the purge job.
CREATE TABLE rate_limits (
  key text NOT NULL CHECK (length(key) <= 200),
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
