-- Implementation plans (genomförandeplaner, docs/plans.md). One row per plan in `plans`: its head,
-- the only mutable part (the draft being written and the revision counter every save and set
-- bumps, so a draft pushed from an older revision is refused as stale). What is set, followed up
-- or consented is evidence and never changes: plan_versions, plan_follow_ups and plan_consents
-- are append-only in the database (the triggers below) and for the runtime role (server/db/roles.ts).
-- Every write touches the plan's head, whose trigger puts the plan in the sync feed.

CREATE TABLE plans (
  id uuid PRIMARY KEY,
  unit_id uuid NOT NULL REFERENCES units (id),
  client_id uuid NOT NULL REFERENCES clients (id),
  revision integer NOT NULL CHECK (revision >= 1),
  draft jsonb,
  draft_based_on uuid,
  draft_saved_at timestamptz,
  draft_by_staff_id uuid REFERENCES staff (id),
  draft_by_hsa_id text,
  draft_by_name text,
  draft_by_title text,
  created_at timestamptz NOT NULL,
  created_by_staff_id uuid NOT NULL REFERENCES staff (id),
  created_by_hsa_id text NOT NULL,
  created_by_name text NOT NULL,
  created_by_title text NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((draft IS NULL) = (draft_saved_at IS NULL))
);
CREATE INDEX plans_client_idx ON plans (client_id);
CREATE INDEX plans_unit_idx ON plans (unit_id);

CREATE TABLE plan_versions (
  id uuid PRIMARY KEY,
  plan_id uuid NOT NULL REFERENCES plans (id),
  version_no integer NOT NULL CHECK (version_no >= 1),
  content jsonb NOT NULL,
  set_on date NOT NULL,
  set_at timestamptz NOT NULL,
  set_by_staff_id uuid NOT NULL REFERENCES staff (id),
  set_by_hsa_id text NOT NULL,
  set_by_name text NOT NULL,
  set_by_title text NOT NULL,
  UNIQUE (plan_id, version_no)
);

CREATE TABLE plan_follow_ups (
  id uuid PRIMARY KEY,
  plan_id uuid NOT NULL REFERENCES plans (id),
  version_id uuid NOT NULL REFERENCES plan_versions (id),
  date date NOT NULL,
  outcomes jsonb NOT NULL,
  comment text NOT NULL,
  revise boolean NOT NULL,
  recorded_at timestamptz NOT NULL,
  recorded_by_staff_id uuid NOT NULL REFERENCES staff (id),
  recorded_by_hsa_id text NOT NULL,
  recorded_by_name text NOT NULL,
  recorded_by_title text NOT NULL
);
CREATE INDEX plan_follow_ups_plan_idx ON plan_follow_ups (plan_id, date);

CREATE TABLE plan_consents (
  id uuid PRIMARY KEY,
  plan_id uuid NOT NULL REFERENCES plans (id),
  status text NOT NULL CHECK (status IN ('given', 'refused', 'revoked')),
  date date NOT NULL,
  how text NOT NULL CHECK (how IN ('oral', 'written')),
  given_by text NOT NULL CHECK (given_by IN ('client', 'representative')),
  representative text NOT NULL,
  note text NOT NULL,
  recorded_at timestamptz NOT NULL,
  recorded_by_staff_id uuid NOT NULL REFERENCES staff (id),
  recorded_by_hsa_id text NOT NULL,
  recorded_by_name text NOT NULL,
  recorded_by_title text NOT NULL
);
CREATE INDEX plan_consents_plan_idx ON plan_consents (plan_id, date, recorded_at);

-- A set version, a follow-up and a consent event are never changed or deleted, by anyone.
CREATE FUNCTION plan_evidence_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER plan_versions_immutable BEFORE UPDATE OR DELETE ON plan_versions FOR EACH ROW EXECUTE FUNCTION plan_evidence_immutable();
CREATE TRIGGER plan_versions_no_truncate BEFORE TRUNCATE ON plan_versions FOR EACH STATEMENT EXECUTE FUNCTION plan_evidence_immutable();
CREATE TRIGGER plan_follow_ups_immutable BEFORE UPDATE OR DELETE ON plan_follow_ups FOR EACH ROW EXECUTE FUNCTION plan_evidence_immutable();
CREATE TRIGGER plan_follow_ups_no_truncate BEFORE TRUNCATE ON plan_follow_ups FOR EACH STATEMENT EXECUTE FUNCTION plan_evidence_immutable();
CREATE TRIGGER plan_consents_immutable BEFORE UPDATE OR DELETE ON plan_consents FOR EACH ROW EXECUTE FUNCTION plan_evidence_immutable();
CREATE TRIGGER plan_consents_no_truncate BEFORE TRUNCATE ON plan_consents FOR EACH STATEMENT EXECUTE FUNCTION plan_evidence_immutable();
-- A plan is never deleted either (its versions refer to it); only its head changes.
CREATE FUNCTION plans_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'plans are never deleted' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER plans_no_delete BEFORE DELETE ON plans FOR EACH ROW EXECUTE FUNCTION plans_no_delete();

-- The sync feed (docs/adding-a-feature.md): the kinds on main plus 'plan'.
ALTER TABLE changes DROP CONSTRAINT changes_record_type_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_type_check
  CHECK (record_type IN ('client', 'journal_entry', 'day_note', 'assignment', 'plan'));

CREATE TRIGGER plans_sync AFTER INSERT OR UPDATE ON plans
  FOR EACH ROW EXECUTE FUNCTION sync_record_changed('plan');
