-- Deviations (avvikelser) and lex Sarah (docs/deviations.md). One row per report in `deviations`:
-- the report as written (never changed: the trigger below) and the head the handling moves
-- (status, decision, next step and its due day, received/closed times), which the server sets
-- from the steps. Every step of the manager's handling is a row in deviation_steps: evidence,
-- append-only in the database and for the runtime role (server/db/roles.ts, the kind's appendOnly).
-- Every step also touches the head, whose trigger puts the deviation in the sync feed (the
-- reporter follows its status).

CREATE TABLE deviations (
  id uuid PRIMARY KEY,
  unit_id uuid NOT NULL REFERENCES units (id),
  client_id uuid REFERENCES clients (id),
  assignment_id uuid REFERENCES assignments (id),
  occurred_at timestamptz NOT NULL,
  -- The Swedish hour of day it happened (patterns: the same visit time).
  occurred_hour smallint NOT NULL CHECK (occurred_hour BETWEEN 0 AND 23),
  place text NOT NULL,
  category text NOT NULL CHECK (category IN ('missed_visit', 'late_visit', 'fall', 'treatment', 'hygiene_care', 'medication', 'other')),
  description text NOT NULL,
  consequence text NOT NULL,
  immediate_action text NOT NULL,
  lex_sarah text NOT NULL CHECK (lex_sarah IN ('yes', 'no', 'unsure')),
  reporter_staff_id uuid NOT NULL REFERENCES staff (id),
  reporter_hsa_id text NOT NULL,
  reporter_name text NOT NULL,
  reporter_title text NOT NULL,
  reported_at timestamptz NOT NULL,
  -- The Swedish day and month of the report (due days, the follow-up per month).
  reported_on date NOT NULL,
  reported_month date NOT NULL,
  client_reported_at timestamptz NOT NULL,
  -- The head, from the steps.
  status text NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'received', 'investigating', 'decided', 'closed')),
  decision text CHECK (decision IN ('none', 'missforhallande', 'risk', 'serious_risk', 'serious')),
  next_step text,
  next_due date,
  ivo_due date,
  received_at timestamptz,
  closed_at timestamptz,
  officer_thread_id uuid,
  updated_at timestamptz NOT NULL
);
CREATE INDEX deviations_unit_due_idx ON deviations (unit_id, next_due, reported_at, id) WHERE closed_at IS NULL;
CREATE INDEX deviations_unit_reported_idx ON deviations (unit_id, reported_at DESC);
CREATE INDEX deviations_unit_month_idx ON deviations (unit_id, reported_month, category) INCLUDE (received_at, closed_at, reported_at);
CREATE INDEX deviations_reporter_idx ON deviations (reporter_staff_id);
CREATE INDEX deviations_assignment_idx ON deviations (assignment_id) WHERE assignment_id IS NOT NULL;
CREATE INDEX deviations_client_idx ON deviations (client_id) WHERE client_id IS NOT NULL;

CREATE TABLE deviation_steps (
  id uuid PRIMARY KEY,
  deviation_id uuid NOT NULL REFERENCES deviations (id),
  kind text NOT NULL CHECK (kind IN ('received', 'investigation', 'measure', 'measure_done', 'decision', 'ivo_report', 'closed')),
  body jsonb NOT NULL,
  at timestamptz NOT NULL,
  by_staff_id uuid NOT NULL REFERENCES staff (id),
  by_hsa_id text NOT NULL,
  by_name text NOT NULL,
  by_title text NOT NULL
);
CREATE INDEX deviation_steps_deviation_idx ON deviation_steps (deviation_id, at, id);

-- A step is never changed or deleted, by anyone.
CREATE FUNCTION deviation_steps_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'deviation_steps is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER deviation_steps_immutable BEFORE UPDATE OR DELETE ON deviation_steps FOR EACH ROW EXECUTE FUNCTION deviation_steps_immutable();
CREATE TRIGGER deviation_steps_no_truncate BEFORE TRUNCATE ON deviation_steps FOR EACH STATEMENT EXECUTE FUNCTION deviation_steps_immutable();

-- The report is never changed (only the head's columns move) and never deleted.
CREATE FUNCTION deviations_report_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'deviations are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.unit_id, NEW.client_id, NEW.assignment_id, NEW.occurred_at, NEW.occurred_hour, NEW.place, NEW.category, NEW.description,
      NEW.consequence, NEW.immediate_action, NEW.lex_sarah, NEW.reporter_staff_id, NEW.reporter_hsa_id, NEW.reporter_name, NEW.reporter_title,
      NEW.reported_at, NEW.reported_on, NEW.reported_month, NEW.client_reported_at)
     IS DISTINCT FROM
     (OLD.id, OLD.unit_id, OLD.client_id, OLD.assignment_id, OLD.occurred_at, OLD.occurred_hour, OLD.place, OLD.category, OLD.description,
      OLD.consequence, OLD.immediate_action, OLD.lex_sarah, OLD.reporter_staff_id, OLD.reporter_hsa_id, OLD.reporter_name, OLD.reporter_title,
      OLD.reported_at, OLD.reported_on, OLD.reported_month, OLD.client_reported_at) THEN
    RAISE EXCEPTION 'deviations: the report is never changed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER deviations_report_no_change BEFORE UPDATE OR DELETE ON deviations FOR EACH ROW EXECUTE FUNCTION deviations_report_immutable();
CREATE TRIGGER deviations_no_truncate BEFORE TRUNCATE ON deviations FOR EACH STATEMENT EXECUTE FUNCTION deviations_report_immutable();

-- The follow-up per unit, month of the report and category, kept by the trigger below as reports
-- come and are received and closed: the quality system's figures read these few rows, not every
-- deviation (docs/deviations.md: 100,000 deviations in < 50 ms). Lead times as sums of days, for means.
CREATE TABLE deviation_month_stats (
  unit_id uuid NOT NULL REFERENCES units (id),
  month date NOT NULL,
  category text NOT NULL,
  reported integer NOT NULL DEFAULT 0,
  received integer NOT NULL DEFAULT 0,
  closed integer NOT NULL DEFAULT 0,
  receive_days double precision NOT NULL DEFAULT 0,
  close_days double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (unit_id, month, category)
);

CREATE FUNCTION deviation_stats_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  dr integer := 0;
  dc integer := 0;
  rd double precision := 0;
  cd double precision := 0;
BEGIN
  IF NEW.received_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.received_at IS NULL) THEN
    dr := 1;
    rd := extract(epoch FROM NEW.received_at - NEW.reported_at) / 86400;
  END IF;
  IF NEW.closed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.closed_at IS NULL) THEN
    dc := 1;
    cd := extract(epoch FROM NEW.closed_at - NEW.reported_at) / 86400;
  END IF;
  IF TG_OP = 'INSERT' OR dr <> 0 OR dc <> 0 THEN
    INSERT INTO deviation_month_stats AS s (unit_id, month, category, reported, received, closed, receive_days, close_days)
    VALUES (NEW.unit_id, NEW.reported_month, NEW.category, CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE 0 END, dr, dc, rd, cd)
    ON CONFLICT (unit_id, month, category) DO UPDATE SET reported = s.reported + excluded.reported, received = s.received + excluded.received,
      closed = s.closed + excluded.closed, receive_days = s.receive_days + excluded.receive_days, close_days = s.close_days + excluded.close_days;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER deviations_stats AFTER INSERT OR UPDATE OF received_at, closed_at ON deviations
  FOR EACH ROW EXECUTE FUNCTION deviation_stats_changed();

-- The sync feed (docs/adding-a-feature.md): the kinds on main plus 'deviation'.
ALTER TABLE changes DROP CONSTRAINT changes_record_type_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_type_check
  CHECK (record_type IN ('client', 'journal_entry', 'day_note', 'assignment', 'plan', 'message_thread', 'message', 'notice', 'deviation'));

CREATE TRIGGER deviations_sync AFTER INSERT OR UPDATE ON deviations
  FOR EACH ROW EXECUTE FUNCTION sync_record_changed('deviation');
