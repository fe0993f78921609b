-- Assignments (uppdrag) from the municipality's case officer to the provider, and their history
-- (docs/assignments.md). The row holds the current state; assignment_events holds every action
-- (who, what, when, details), append-only. The state machine lives in server code
-- (server/assignments/state-machine.ts); the CHECKs here keep the row coherent whatever writes it.
-- Portable between PostgreSQL 15+ and PGlite: plpgsql and pg_notify only.

CREATE TABLE assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id uuid NOT NULL REFERENCES clients (id),
  -- The unit whose inbox holds it: the client's unit when sent, the target unit once distributed.
  unit_id uuid NOT NULL REFERENCES units (id),
  decision_reference text NOT NULL CHECK (length(decision_reference) BETWEEN 1 AND 60),
  decision_date date NOT NULL,
  -- [{ code?, name, grantedHours, per: 'week' | 'month' }]
  services jsonb NOT NULL CHECK (jsonb_typeof(services) = 'array' AND jsonb_array_length(services) >= 1),
  start_date date NOT NULL,
  end_date date,
  free_text text NOT NULL DEFAULT '' CHECK (length(free_text) <= 4000),
  status text NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'confirmed', 'executed', 'paused', 'cancellation_requested', 'cancelled', 'ended')),
  confirmed_at timestamptz,
  distributed_unit_id uuid REFERENCES units (id),
  distributed_staff_ids uuid[] NOT NULL DEFAULT '{}',
  -- Verkställighetsdatum; every value it ever had is an 'execute' event.
  execution_date date,
  -- [{ from, to | null, reason }]
  pauses jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(pauses) = 'array'),
  -- [{ kind: 'absence' | 'presence', from, to }]
  registrations jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(registrations) = 'array'),
  cancellation_requested_at timestamptz,
  cancellation_reason text,
  cancellation_confirmed_at timestamptz,
  -- The case officer who sent it.
  sent_by_staff_id uuid NOT NULL REFERENCES staff (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The number of events: grows by one with every action.
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  CHECK (end_date IS NULL OR end_date >= start_date),
  CHECK (execution_date IS NULL OR execution_date >= start_date),
  CHECK (status NOT IN ('executed', 'paused') OR execution_date IS NOT NULL),
  CHECK (status = 'new' OR status IN ('cancellation_requested', 'cancelled') OR confirmed_at IS NOT NULL),
  CHECK (status NOT IN ('cancellation_requested', 'cancelled') OR (cancellation_requested_at IS NOT NULL AND cancellation_reason IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancellation_confirmed_at IS NOT NULL)),
  CHECK (status <> 'ended' OR end_date IS NOT NULL)
);
-- The inbox: a unit's assignments by status, latest change first.
CREATE INDEX assignments_inbox_idx ON assignments (unit_id, status, updated_at DESC, id);
CREATE INDEX assignments_unit_updated_idx ON assignments (unit_id, updated_at DESC, id);
CREATE INDEX assignments_unit_start_idx ON assignments (unit_id, start_date, id);
CREATE INDEX assignments_client_idx ON assignments (client_id);

-- The history: one row per action, never changed or deleted.
CREATE TABLE assignment_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  assignment_id uuid NOT NULL REFERENCES assignments (id),
  -- The assignment's version after this event (1 = sent).
  version integer NOT NULL CHECK (version >= 1),
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL CHECK (action IN ('send', 'change', 'cancel', 'end', 'confirm', 'distribute', 'execute', 'report',
    'pause', 'resume', 'confirm_cancellation', 'register_absence', 'register_presence')),
  -- Stamped from the staff row at the time, so a later change of name or title does not rewrite history.
  actor_staff_id uuid NOT NULL REFERENCES staff (id),
  actor_hsa_id text NOT NULL,
  actor_name text NOT NULL,
  actor_title text NOT NULL,
  actor_role text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
  -- The caller's requestId: the same request again is answered without applying it twice.
  request_id uuid UNIQUE,
  UNIQUE (assignment_id, version)
);
CREATE INDEX assignment_events_assignment_idx ON assignment_events (assignment_id, version);
-- Execution-date history across assignments (billing, the quarterly report of unexecuted decisions).
CREATE INDEX assignment_events_execute_idx ON assignment_events (at) WHERE action = 'execute';

CREATE FUNCTION assignment_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'assignment_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER assignment_events_no_change BEFORE UPDATE OR DELETE ON assignment_events
  FOR EACH ROW EXECUTE FUNCTION assignment_events_append_only();
CREATE TRIGGER assignment_events_no_truncate BEFORE TRUNCATE ON assignment_events
  FOR EACH STATEMENT EXECUTE FUNCTION assignment_events_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON assignment_events FROM PUBLIC;

-- An assignment is never deleted (its history refers to it); it ends or is cancelled.
CREATE FUNCTION assignments_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'assignments are never deleted: end or cancel them' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER assignments_no_delete BEFORE DELETE ON assignments
  FOR EACH ROW EXECUTE FUNCTION assignments_no_delete();

-- "Unit X has a new or changed assignment", delivered at commit to every server node. Not part of
-- the sync feed yet (the workstation side of assignments will join it); listeners may use it now.
CREATE FUNCTION assignments_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('assignment_changes', NEW.unit_id::text);
  IF TG_OP = 'UPDATE' AND NEW.unit_id IS DISTINCT FROM OLD.unit_id THEN
    PERFORM pg_notify('assignment_changes', OLD.unit_id::text);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER assignments_notify AFTER INSERT OR UPDATE ON assignments
  FOR EACH ROW EXECUTE FUNCTION assignments_notify();
