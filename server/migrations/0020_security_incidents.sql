-- Security incidents (säkerhetsincidenter, docs/incidents.md): reported by anyone of the provider,
-- reported on to the municipality's support by the IT contact person within 48 hours of discovery,
-- then closed. The deadline is derived (discovered_at + 48 h), never stored, so it cannot drift.

CREATE TABLE security_incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  reported_by_staff_id uuid NOT NULL REFERENCES staff (id),
  reported_by_name text NOT NULL,
  reported_at timestamptz NOT NULL,
  what text NOT NULL,
  systems text NOT NULL DEFAULT '',
  discovered_at timestamptz NOT NULL,
  -- The report to the municipality: all set together, once.
  municipality_reported_at timestamptz,
  municipality_channel text CHECK (municipality_channel IN ('phone', 'email', 'portal', 'other')),
  municipality_reference text,
  municipality_reported_by_staff_id uuid REFERENCES staff (id),
  municipality_reported_by_name text,
  closed_at timestamptz,
  closed_by_staff_id uuid REFERENCES staff (id),
  closed_by_name text,
  closing_comment text,
  CHECK ((municipality_reported_at IS NULL) = (municipality_channel IS NULL)),
  -- Closed only once reported to the municipality.
  CHECK (closed_at IS NULL OR municipality_reported_at IS NOT NULL)
);
CREATE INDEX security_incidents_organisation_idx ON security_incidents (organisation_id, discovered_at DESC);
CREATE INDEX security_incidents_reporter_idx ON security_incidents (reported_by_staff_id, discovered_at DESC);

-- The clients affected: by id (the personnummer stays in clients).
CREATE TABLE security_incident_clients (
  incident_id uuid NOT NULL REFERENCES security_incidents (id),
  client_id uuid NOT NULL REFERENCES clients (id),
  PRIMARY KEY (incident_id, client_id)
);

-- An incident is evidence of what the provider knew and when it told the municipality: never
-- deleted, what was reported never rewritten; the report to the municipality and the closing are
-- each set once. Enforced here, for every role (the runtime role's grants cannot reach triggers).
CREATE FUNCTION security_incidents_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'security_incidents: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.organisation_id, NEW.reported_by_staff_id, NEW.reported_by_name, NEW.reported_at, NEW.what, NEW.systems, NEW.discovered_at)
     IS DISTINCT FROM (OLD.id, OLD.organisation_id, OLD.reported_by_staff_id, OLD.reported_by_name, OLD.reported_at, OLD.what, OLD.systems, OLD.discovered_at)
     OR (OLD.municipality_reported_at IS NOT NULL AND
         (NEW.municipality_reported_at, NEW.municipality_channel, NEW.municipality_reference, NEW.municipality_reported_by_staff_id, NEW.municipality_reported_by_name)
         IS DISTINCT FROM (OLD.municipality_reported_at, OLD.municipality_channel, OLD.municipality_reference, OLD.municipality_reported_by_staff_id, OLD.municipality_reported_by_name))
     OR (OLD.closed_at IS NOT NULL AND
         (NEW.closed_at, NEW.closed_by_staff_id, NEW.closed_by_name, NEW.closing_comment) IS DISTINCT FROM (OLD.closed_at, OLD.closed_by_staff_id, OLD.closed_by_name, OLD.closing_comment)) THEN
    RAISE EXCEPTION 'security_incidents: what was recorded cannot be changed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER security_incidents_guard BEFORE UPDATE OR DELETE ON security_incidents FOR EACH ROW EXECUTE FUNCTION security_incidents_guard();
CREATE TRIGGER security_incidents_no_truncate BEFORE TRUNCATE ON security_incidents FOR EACH STATEMENT EXECUTE FUNCTION security_incidents_guard();
CREATE TRIGGER security_incident_clients_no_update_delete BEFORE UPDATE OR DELETE ON security_incident_clients
  FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE TRIGGER security_incident_clients_no_truncate BEFORE TRUNCATE ON security_incident_clients
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();
