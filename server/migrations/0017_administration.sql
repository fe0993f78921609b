-- Administration (issue 17, docs/administration.md): the IT contact person (it_contact, the
-- administrator) adds people and grants and ends permissions; every grant, confirmation and end
-- is kept in an append-only history with who did it.
--
-- Two kinds of grant, one history:
--   permissions  (0001)  role "staff" on one unit: access to that unit's clients (unchanged meaning,
--                        so every data query keeps reading this table alone).
--   role_grants  (here)  superuser, it_contact, manager: held on one unit or on the whole provider
--                        organisation (unit_id NULL), for a period. A role gives no client data.

-- Ending a permission takes effect at once: its period is cut to end yesterday (Swedish day),
-- which every "valid today" query already excludes. A permission that started today then ends
-- the day before it started: an empty period, allowed by the relaxed check.
ALTER TABLE permissions DROP CONSTRAINT IF EXISTS permissions_check;
ALTER TABLE permissions ADD CONSTRAINT permissions_period_check CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
ALTER TABLE permissions ADD COLUMN ended_at timestamptz;
ALTER TABLE permissions ADD COLUMN ended_by uuid REFERENCES staff (id);

CREATE TABLE role_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id uuid NOT NULL REFERENCES staff (id),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  -- NULL: the whole provider organisation.
  unit_id uuid REFERENCES units (id),
  role text NOT NULL CHECK (role IN ('superuser', 'it_contact', 'manager')),
  valid_from date NOT NULL,
  valid_to date,
  granted_by uuid REFERENCES staff (id),
  -- Four-eyes: a grant of it_contact is pending until a second administrator confirms it; other
  -- roles are confirmed by the grant itself. NULL: pending (not in force).
  confirmed_at timestamptz,
  confirmed_by uuid REFERENCES staff (id),
  ended_at timestamptz,
  ended_by uuid REFERENCES staff (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_to >= valid_from - 1),
  CHECK (granted_by IS NULL OR granted_by <> staff_id),
  CHECK (role <> 'it_contact' OR confirmed_by IS NULL OR granted_by IS NULL OR confirmed_by <> granted_by)
);
CREATE INDEX role_grants_staff_id_idx ON role_grants (staff_id);

-- The history (behörighetshistorik): append-only, like the access log. No foreign keys on the
-- actor: history outlives everything. Names are copied so the history reads without joins.
CREATE TABLE permission_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL CHECK (action IN ('person_added', 'granted', 'confirmed', 'ended', 'bootstrap')),
  actor_staff_id uuid,
  actor_name text,
  target_staff_id uuid NOT NULL,
  target_name text NOT NULL,
  organisation_id uuid NOT NULL,
  grant_id uuid,
  role text CHECK (role IN ('staff', 'superuser', 'it_contact', 'manager')),
  unit_id uuid,
  unit_name text,
  valid_from date,
  valid_to date
);
CREATE INDEX permission_events_organisation_idx ON permission_events (organisation_id, id);
CREATE INDEX permission_events_target_idx ON permission_events (target_staff_id, id);

CREATE FUNCTION permission_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'permission_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER permission_events_no_update_delete BEFORE UPDATE OR DELETE ON permission_events
  FOR EACH ROW EXECUTE FUNCTION permission_events_append_only();
CREATE TRIGGER permission_events_no_truncate BEFORE TRUNCATE ON permission_events
  FOR EACH STATEMENT EXECUTE FUNCTION permission_events_append_only();

-- A role granted or ended reaches that person's open event streams as a unit permission does (0010).
CREATE TRIGGER role_grants_notify AFTER INSERT OR UPDATE OR DELETE ON role_grants
  FOR EACH ROW EXECUTE FUNCTION permissions_notify();

-- Installations that already hold people with an administrative staff.role keep it as an
-- organisation-wide grant from the day they were added (the seed and the bootstrap command make
-- new ones).
INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at, created_at)
SELECT s.id, s.organisation_id, NULL, s.role, (s.created_at AT TIME ZONE 'Europe/Stockholm')::date, s.created_at, s.created_at
  FROM staff s
 WHERE s.organisation_id IS NOT NULL AND s.role IN ('superuser', 'it_contact', 'manager');
