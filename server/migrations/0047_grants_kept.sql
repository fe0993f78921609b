-- Ended grants are evidence (issue 25 point 8): a permission or role grant that has ended (ended_at
-- set, or its period over) is never deleted, and an ending is final — for every role, the owner
-- included; the runtime role may not DELETE from either table at all (server/db/roles.ts).
-- An administrator's role ended by another administrator needs a second one (four-eyes, as the
-- grant): the first asks (end_requested_*), a second ends it.
CREATE FUNCTION grants_keep_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND (OLD.ended_at IS NOT NULL OR (OLD.valid_to IS NOT NULL AND OLD.valid_to < current_date)) THEN
    RAISE EXCEPTION '%: an ended grant is kept', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.ended_at IS NOT NULL AND (NEW.ended_at IS DISTINCT FROM OLD.ended_at OR NEW.ended_by IS DISTINCT FROM OLD.ended_by OR NEW.valid_to IS DISTINCT FROM OLD.valid_to OR NEW.valid_from IS DISTINCT FROM OLD.valid_from) THEN
    RAISE EXCEPTION '%: an ended grant cannot be changed', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER permissions_keep_ended BEFORE UPDATE OR DELETE ON permissions FOR EACH ROW EXECUTE FUNCTION grants_keep_ended();
CREATE TRIGGER role_grants_keep_ended BEFORE UPDATE OR DELETE ON role_grants FOR EACH ROW EXECUTE FUNCTION grants_keep_ended();

ALTER TABLE role_grants ADD COLUMN end_requested_at timestamptz;
ALTER TABLE role_grants ADD COLUMN end_requested_by uuid REFERENCES staff (id);

ALTER TABLE permission_events DROP CONSTRAINT IF EXISTS permission_events_action_check;
ALTER TABLE permission_events ADD CONSTRAINT permission_events_action_check
  CHECK (action IN ('person_added', 'granted', 'confirmed', 'ended', 'bootstrap', 'end_requested'));
