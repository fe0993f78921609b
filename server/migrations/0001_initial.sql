-- The provider side of the municipal case system: organisations, their units, the clients of
-- each unit, staff, and per-unit permissions with a validity period. Later migrations add
-- assignments, the execution journal, day notes and the access log.
-- Portable between PostgreSQL 15 and PGlite: gen_random_uuid() is built in since PostgreSQL 13.

-- A provider organisation (utförare) working for a municipality (kommun).
CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  municipality text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A unit (enhet/grupp); permissions are granted per unit.
CREATE TABLE units (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  name text NOT NULL,
  service_type text NOT NULL CHECK (service_type IN ('hemtjanst', 'daglig_verksamhet')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, name)
);

-- A client (brukare), identified by a 12-digit personnummer (YYYYMMDDNNNC).
CREATE TABLE clients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  personnummer char(12) NOT NULL UNIQUE CHECK (personnummer ~ '^[0-9]{12}$'),
  given_name text NOT NULL,
  family_name text NOT NULL,
  unit_id uuid NOT NULL REFERENCES units (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_unit_id_idx ON clients (unit_id);

-- Staff (personal) and the municipality's case officers, identified by HSA-ID from their SITHS card.
-- organisation_id is null for the municipality's own staff (case officers).
CREATE TABLE staff (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  hsa_id text NOT NULL UNIQUE CHECK (hsa_id ~ '^SE[0-9]{10}-[A-Za-z0-9]{1,31}$'),
  given_name text NOT NULL,
  family_name text NOT NULL,
  title text NOT NULL,
  role text NOT NULL CHECK (role IN ('staff', 'superuser', 'it_contact', 'manager', 'case_officer')),
  organisation_id uuid REFERENCES organisations (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A permission (behörighet) for one person on one unit, valid from a day until a day (inclusive)
-- or until further notice. Ended permissions are kept: valid_to is set, rows are never deleted.
CREATE TABLE permissions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id uuid NOT NULL REFERENCES staff (id),
  unit_id uuid NOT NULL REFERENCES units (id),
  valid_from date NOT NULL,
  valid_to date,
  granted_by uuid REFERENCES staff (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX permissions_staff_id_idx ON permissions (staff_id);
CREATE INDEX permissions_unit_id_idx ON permissions (unit_id);
