-- The change feed keeps one row per record and unit: its latest change (docs/sync.md, "The feed").
-- A pull only ever wanted the latest change of a record; with the superseded rows gone the pull is
-- a plain walk of changes (unit_id, seq) instead of a "is this the latest?" probe per row, and the
-- feed no longer grows with every edit of the same record.
--
-- Why this is safe for every cursor: a row is removed only when a later row of the same record in
-- the same unit exists, and that later row has a higher seq, so a workstation at any cursor still
-- finds the record's latest state after its cursor. Within a unit the advisory lock of
-- sync_append_change still orders seq by commit, and the delete runs under the same lock.

DELETE FROM changes c
 USING changes l
 WHERE l.unit_id = c.unit_id AND l.record_type = c.record_type AND l.record_id = c.record_id AND l.seq > c.seq;

CREATE OR REPLACE FUNCTION sync_append_change(p_unit uuid, p_type text, p_id uuid, p_op text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_seq bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7340103, hashtext(p_unit::text));
  INSERT INTO changes (unit_id, record_type, record_id, op) VALUES (p_unit, p_type, p_id, p_op) RETURNING seq INTO v_seq;
  DELETE FROM changes WHERE record_id = p_id AND record_type = p_type AND unit_id = p_unit AND seq < v_seq;
  PERFORM pg_notify('sync_changes', p_unit::text);
END
$$;
