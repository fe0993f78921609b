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
