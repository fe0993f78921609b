-- The client's consent register (samtyckesregister, docs/consents.md). One row per consent as
-- recorded by staff of the client's unit: what it concerns, the client's answer, how and when it was
-- given. A consent is never changed or deleted: the only change is its withdrawal (återkallelse),
-- once, which fills the withdrawal columns and leaves the rest as it was (the trigger below). Both
-- events stay readable in the record. The plan's own consent (plan_consents) is another thing.

CREATE TABLE consents (
  id uuid PRIMARY KEY,
  unit_id uuid NOT NULL REFERENCES units (id),
  client_id uuid NOT NULL REFERENCES clients (id),
  topic text NOT NULL CHECK (topic IN ('relatives_information', 'health_care', 'school_employer_authority', 'other')),
  other_text text,
  answer text NOT NULL CHECK (answer IN ('given', 'refused')),
  form text NOT NULL CHECK (form IN ('oral', 'written')),
  given_on date NOT NULL,
  note text,
  author_staff_id uuid NOT NULL REFERENCES staff (id),
  author_hsa_id text NOT NULL,
  author_name text NOT NULL,
  author_title text NOT NULL,
  created_at timestamptz NOT NULL,
  client_created_at timestamptz NOT NULL,
  withdrawn_on date,
  withdrawn_reason text,
  withdrawn_at timestamptz,
  withdrawn_by_staff_id uuid REFERENCES staff (id),
  withdrawn_by_hsa_id text,
  withdrawn_by_name text,
  withdrawn_by_title text,
  CHECK ((topic = 'other') = (other_text IS NOT NULL)),
  CHECK (withdrawn_at IS NULL OR (answer = 'given' AND withdrawn_on IS NOT NULL AND withdrawn_reason IS NOT NULL AND withdrawn_on >= given_on
         AND withdrawn_by_staff_id IS NOT NULL AND withdrawn_by_hsa_id IS NOT NULL AND withdrawn_by_name IS NOT NULL AND withdrawn_by_title IS NOT NULL))
);
CREATE INDEX consents_client_idx ON consents (client_id, given_on DESC, created_at DESC);
CREATE INDEX consents_unit_idx ON consents (unit_id);

-- Recorded once, withdrawn at most once, never deleted: by anyone, the owner too.
CREATE FUNCTION consents_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'consents are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.withdrawn_at IS NOT NULL THEN
    RAISE EXCEPTION 'consents: a withdrawn consent is never changed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.unit_id, NEW.client_id, NEW.topic, NEW.other_text, NEW.answer, NEW.form, NEW.given_on, NEW.note, NEW.author_staff_id,
      NEW.author_hsa_id, NEW.author_name, NEW.author_title, NEW.created_at, NEW.client_created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.unit_id, OLD.client_id, OLD.topic, OLD.other_text, OLD.answer, OLD.form, OLD.given_on, OLD.note, OLD.author_staff_id,
      OLD.author_hsa_id, OLD.author_name, OLD.author_title, OLD.created_at, OLD.client_created_at) THEN
    RAISE EXCEPTION 'consents: only the withdrawal is ever added' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER consents_no_change BEFORE UPDATE OR DELETE ON consents FOR EACH ROW EXECUTE FUNCTION consents_immutable();
CREATE TRIGGER consents_no_truncate BEFORE TRUNCATE ON consents FOR EACH STATEMENT EXECUTE FUNCTION consents_immutable();

CREATE TRIGGER consents_sync AFTER INSERT OR UPDATE OR DELETE ON consents
  FOR EACH ROW EXECUTE FUNCTION sync_record_changed('consent');

ALTER TABLE changes DROP CONSTRAINT changes_record_type_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_type_check
  CHECK (record_type IN ('client', 'journal_entry', 'day_note', 'assignment', 'plan', 'message_thread', 'message', 'notice', 'deviation', 'consent'));
