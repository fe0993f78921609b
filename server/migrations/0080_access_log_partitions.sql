-- The access log partitioned by month, with retention by policy (issue 33; docs/operations.md,
-- "The access log: partitions and retention"). Kept at least five years (HSLF-FS 2016:40), about
-- ten million rows a year for a mid-size provider: a month is a partition, so a search over a
-- period reads only its months and an expired month goes as one DROP, not millions of DELETEs
-- against the append-only trigger.
--
-- What stays as it was: the columns, their checks and the hash chain (the same trigger, the same
-- canonical form, ids from the same sequence, so every existing row keeps its id and hash and
-- `npm run verify-log` and earlier checkpoints still hold); append-only (the row triggers are
-- cloned to every partition; the runtime role is granted INSERT on the parent only, nothing on a
-- partition). What changes: the primary key is (id, at) and the hash is unique per (hash, at):
-- PostgreSQL requires the partition key in every unique index of a partitioned table (the chain
-- makes a repeated hash impossible anyway: each hash covers its predecessor and its own id).

ALTER TABLE access_log RENAME TO access_log_unpartitioned;
ALTER INDEX access_log_pkey RENAME TO access_log_unpartitioned_pkey;
ALTER INDEX access_log_hash_key RENAME TO access_log_unpartitioned_hash_key;
ALTER INDEX access_log_at_idx RENAME TO access_log_unpartitioned_at_idx;
ALTER INDEX access_log_actor_staff_id_idx RENAME TO access_log_unpartitioned_actor_idx;
ALTER INDEX access_log_client_id_idx RENAME TO access_log_unpartitioned_client_idx;
ALTER INDEX access_log_action_at_idx RENAME TO access_log_unpartitioned_action_idx;
ALTER INDEX access_log_unit_at_idx RENAME TO access_log_unpartitioned_unit_idx;
ALTER INDEX access_log_unit_action_at_idx RENAME TO access_log_unpartitioned_unit_action_idx;

-- The same columns in the same order, with their defaults, NOT NULLs and checks.
CREATE TABLE access_log (LIKE access_log_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (at);
-- A row whose month has no partition yet (a clock far off, a node down for months) lands here
-- rather than failing its login; such a month stays in the default partition.
CREATE TABLE access_log_default PARTITION OF access_log DEFAULT;
ALTER SEQUENCE access_log_id_seq OWNED BY access_log.id;

-- Partitions are named access_log_yYYYYmMM and bounded by UTC months.
CREATE FUNCTION access_log_partition_name(m timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'access_log_y' || to_char(m AT TIME ZONE 'UTC', 'YYYY"m"MM')
$$;

-- Creates the month partitions from the month of `from_at` through the month of `to_at` that are
-- missing, except months that already have rows in the default partition (they stay there).
-- Returns how many it created. SECURITY DEFINER: the runtime role's hourly job calls it and owns
-- nothing; the partitions belong to the owner, like the parent.
CREATE FUNCTION access_log_ensure_partitions(from_at timestamptz, to_at timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m timestamptz := date_trunc('month', from_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  next_m timestamptz;
  created integer := 0;
  n integer := 0;
BEGIN
  WHILE m <= to_at AND n < 1200 LOOP
    n := n + 1;
    next_m := ((m AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    IF to_regclass(access_log_partition_name(m)) IS NULL
       AND NOT EXISTS (SELECT 1 FROM access_log_default WHERE at >= m AND at < next_m) THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF access_log FOR VALUES FROM (%L) TO (%L)', access_log_partition_name(m), m, next_m);
      created := created + 1;
    END IF;
    m := next_m;
  END LOOP;
  RETURN created;
END
$$;
REVOKE ALL ON FUNCTION access_log_ensure_partitions(timestamptz, timestamptz) FROM PUBLIC;

-- The months of the rows there are, and this month and the next two.
SELECT access_log_ensure_partitions(least(coalesce((SELECT min(at) FROM access_log_unpartitioned), now()), now()), now() + interval '2 months');

-- The rows as they are (no trigger on the new table yet: ids, times and hashes unchanged).
INSERT INTO access_log SELECT * FROM access_log_unpartitioned;

-- The keys and indexes after the copy, each built once from the rows (on every partition, and on
-- those made later): at 1M rows, against maintaining them row by row during the copy, a quarter
-- less of PostgreSQL's CPU and 43 % less WAL (bench/partition.ts).
ALTER TABLE access_log ADD CONSTRAINT access_log_pkey PRIMARY KEY (id, at);
ALTER TABLE access_log ADD CONSTRAINT access_log_hash_key UNIQUE (hash, at);
CREATE INDEX access_log_at_idx ON access_log (at);
CREATE INDEX access_log_actor_staff_id_idx ON access_log (actor_staff_id, at);
CREATE INDEX access_log_client_id_idx ON access_log (client_id, at);
CREATE INDEX access_log_action_at_idx ON access_log (action, at);
CREATE INDEX access_log_unit_at_idx ON access_log (unit_id, at);
CREATE INDEX access_log_unit_action_at_idx ON access_log (unit_id, action, at);

-- The row hash over the new table's row type: the same canonical forms as before, v1 (0002) and,
-- for a row carrying a session's method or level, v2 (0070).
CREATE FUNCTION access_log_row_hash(r access_log) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    r.prev_hash
    || CASE WHEN r.auth_method IS NULL AND r.loa IS NULL THEN '|access-log:v1' ELSE '|access-log:v2' END
    || '|' || access_log_field(r.id::text)
    || '|' || access_log_field(to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    || '|' || access_log_field(r.actor_staff_id::text)
    || '|' || access_log_field(r.actor_hsa_id)
    || '|' || access_log_field(r.action)
    || '|' || access_log_field(r.outcome)
    || '|' || access_log_field(r.error_code)
    || '|' || access_log_field(r.client_id::text)
    || '|' || access_log_field(r.record_type)
    || '|' || access_log_field(r.record_id)
    || '|' || access_log_field(r.workstation)
    || '|' || access_log_field(r.cert_sha256)
    || CASE WHEN r.auth_method IS NULL AND r.loa IS NULL THEN ''
       ELSE '|' || access_log_field(r.auth_method) || '|' || access_log_field(r.loa::text) END,
    'UTF8')), 'hex')
$$;
DROP FUNCTION access_log_row_hash(access_log_unpartitioned);
DROP TABLE access_log_unpartitioned;

-- Where the chain continues after expired months were dropped: the last dropped row's id and hash.
-- `npm run verify-log` starts from the newest cut (server/audit/access-log.ts verifyChain). Written
-- only by access_log_drop_expired; append-only.
CREATE TABLE access_log_retention (
  id bigserial PRIMARY KEY,
  dropped_at timestamptz NOT NULL DEFAULT now(),
  partition text NOT NULL,
  range_from timestamptz NOT NULL,
  range_to timestamptz NOT NULL,
  rows bigint NOT NULL,
  -- The newest row dropped so far (of this and every earlier cut): the chain continues from it.
  last_id bigint,
  last_hash text CHECK (last_hash ~ '^[0-9a-f]{64}$'),
  keep_months integer NOT NULL CHECK (keep_months >= 60)
);
CREATE TRIGGER access_log_retention_no_update_delete BEFORE UPDATE OR DELETE ON access_log_retention
  FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE TRIGGER access_log_retention_no_truncate BEFORE TRUNCATE ON access_log_retention
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();

-- Drops the month partitions that ended more than `keep_months` before `now_at` (the policy; at
-- least 60: five years). Oldest first, and only a contiguous run from the oldest row, so the chain
-- that remains starts where a recorded cut says. Returns the partitions dropped.
CREATE FUNCTION access_log_drop_expired(keep_months integer, now_at timestamptz) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cutoff timestamptz;
  p record;
  last record;
  n bigint;
BEGIN
  IF keep_months IS NULL OR keep_months < 60 THEN
    RAISE EXCEPTION 'access_log retention: at least 60 months (HSLF-FS 2016:40), not %', keep_months;
  END IF;
  cutoff := ((date_trunc('month', now_at AT TIME ZONE 'UTC') - make_interval(months => keep_months)) AT TIME ZONE 'UTC');
  -- One dropper at a time, and no row written while a cut is taken.
  PERFORM pg_advisory_xact_lock(7340102);
  FOR p IN
    SELECT c.relname AS name,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)'))[1]::timestamptz AS range_from,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)'))[2]::timestamptz AS range_to
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'access_log'::regclass AND c.relname ~ '^access_log_y[0-9]{4}m[0-9]{2}$'
     ORDER BY 2
  LOOP
    EXIT WHEN p.range_to > cutoff;
    -- Only when nothing older is left elsewhere (the default partition): the cut must be the chain's start.
    EXIT WHEN EXISTS (SELECT 1 FROM access_log_default WHERE at < p.range_to);
    EXECUTE format('SELECT count(*) FROM %I', p.name) INTO n;
    EXECUTE format('SELECT id, hash FROM %I ORDER BY id DESC LIMIT 1', p.name) INTO last;
    IF n = 0 THEN
      SELECT r.last_id AS id, r.last_hash AS hash INTO last FROM access_log_retention r ORDER BY r.id DESC LIMIT 1;
    END IF;
    INSERT INTO access_log_retention (partition, range_from, range_to, rows, last_id, last_hash, keep_months)
    VALUES (p.name, p.range_from, p.range_to, n, last.id, last.hash, keep_months);
    EXECUTE format('ALTER TABLE access_log DETACH PARTITION %I', p.name);
    EXECUTE format('DROP TABLE %I', p.name);
    RETURN NEXT p.name;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION access_log_drop_expired(integer, timestamptz) FROM PUBLIC;

CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_chain();
CREATE TRIGGER access_log_unit BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_unit();
CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM PUBLIC;
