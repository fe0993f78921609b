-- The notice board (docs/messages.md): a notice is published to units, one row per unit with the
-- same notice_id, so each unit's sync feed carries it to the workstations (readable offline).
CREATE TABLE notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  notice_id uuid NOT NULL,
  unit_id uuid NOT NULL REFERENCES units (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  text text NOT NULL CHECK (length(text) <= 4000),
  show_from timestamptz NOT NULL,
  show_until timestamptz NOT NULL CHECK (show_until > show_from),
  outage_start timestamptz,
  outage_end timestamptz,
  published_by_staff_id uuid NOT NULL REFERENCES staff (id),
  published_by_name text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (notice_id, unit_id),
  CHECK ((outage_start IS NULL) = (outage_end IS NULL) AND (outage_end IS NULL OR outage_end > outage_start))
);

ALTER TABLE changes DROP CONSTRAINT changes_record_type_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_type_check
  CHECK (record_type IN ('client', 'journal_entry', 'day_note', 'assignment', 'plan', 'message_thread', 'message', 'notice'));

CREATE TRIGGER notices_sync AFTER INSERT OR UPDATE OR DELETE ON notices
  FOR EACH ROW EXECUTE FUNCTION sync_record_changed('notice');
