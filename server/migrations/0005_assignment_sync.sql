-- Assignments join the sync feed (docs/sync.md, docs/assignments.md "The workstation side"): every
-- insert or update of an assignment appends a change row of record type 'assignment' in its unit
-- (a move to another unit by distribution is a delete there and an upsert here), and the pull
-- resolves it to the assignment as it is now, with its history. sync_append_change notifies
-- 'sync_changes', so the event streams announce new and changed assignments.

ALTER TABLE changes DROP CONSTRAINT changes_record_type_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_type_check
  CHECK (record_type IN ('client', 'journal_entry', 'day_note', 'assignment'));

-- Assignments that exist already get their change rows, so a workstation pulling from 0 sees them.
INSERT INTO changes (unit_id, record_type, record_id, op, at)
  SELECT unit_id, 'assignment', id, 'upsert', updated_at FROM assignments ORDER BY updated_at, id;

-- Assignments are never deleted (assignments_no_delete), so only INSERT and UPDATE.
CREATE TRIGGER assignments_sync AFTER INSERT OR UPDATE ON assignments
  FOR EACH ROW EXECUTE FUNCTION sync_record_changed('assignment');
