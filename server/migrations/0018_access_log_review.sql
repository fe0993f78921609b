-- Access-log follow-up (logguppföljning, docs/administration.md): reviews as records. A review is
-- who followed up what (the search criteria or the sample), when, and a finding per log row
-- (justified / to be investigated, with a comment). Reviews are evidence too: append-only.

-- Targeted search by action over a period (the other criteria have their indexes since 0002).
CREATE INDEX access_log_action_at_idx ON access_log (action, at);

-- Search by unit: the unit the client belonged to when the event happened, set at insert. A
-- search aid, not evidence: it is outside the hash (the chain covers the client id it is derived
-- from), and an owner who altered it would mislead a search, not the verification.
ALTER TABLE access_log ADD COLUMN unit_id uuid;
CREATE FUNCTION access_log_unit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.client_id IS NOT NULL THEN
    SELECT unit_id INTO NEW.unit_id FROM clients WHERE id = NEW.client_id;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER access_log_unit BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_unit();
-- Rows logged before this migration: their client's unit now (the best that is known).
ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_delete;
UPDATE access_log a SET unit_id = c.unit_id FROM clients c WHERE c.id = a.client_id;
ALTER TABLE access_log ENABLE TRIGGER access_log_no_update_delete;
CREATE INDEX access_log_unit_at_idx ON access_log (unit_id, at);
CREATE INDEX access_log_unit_action_at_idx ON access_log (unit_id, action, at);

-- One refusal for every append-only table of administration: names the table it guards.
CREATE FUNCTION refuse_change_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TABLE access_log_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  reviewer_staff_id uuid NOT NULL,
  reviewer_name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('search', 'sample')),
  -- The readable criteria, and the criteria as given (no personnummer: the client is kept by id).
  criteria text NOT NULL,
  query jsonb NOT NULL,
  summary text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_log_reviews_organisation_idx ON access_log_reviews (organisation_id, created_at);

CREATE TABLE access_log_review_findings (
  review_id uuid NOT NULL REFERENCES access_log_reviews (id),
  log_id bigint NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('justified', 'investigate')),
  comment text NOT NULL,
  PRIMARY KEY (review_id, log_id)
);

CREATE TRIGGER access_log_reviews_no_update_delete BEFORE UPDATE OR DELETE ON access_log_reviews
  FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE TRIGGER access_log_reviews_no_truncate BEFORE TRUNCATE ON access_log_reviews
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();
CREATE TRIGGER access_log_review_findings_no_update_delete BEFORE UPDATE OR DELETE ON access_log_review_findings
  FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE TRIGGER access_log_review_findings_no_truncate BEFORE TRUNCATE ON access_log_review_findings
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();
