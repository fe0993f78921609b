-- Messages, security incidents and the permission history in one hash chain (issue 25 point 8,
-- docs/security.md), as the access log and the journal are in theirs: every INSERT (and, for the
-- incidents whose report and closing are set later, every UPDATE) of an evidence row appends a link
-- holding the SHA-256 of the row as it now is (its to_jsonb text, in UTC). `npm run verify-log`
-- walks the links (server/audit/evidence-chain.ts recomputes every hash) and compares each row's
-- latest digest with the row in its table: a row changed, removed or added behind the server's
-- back breaks it.
CREATE TABLE evidence_chain (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  table_name text NOT NULL,
  row_key text NOT NULL,
  row_digest text NOT NULL CHECK (row_digest ~ '^[0-9a-f]{64}$'),
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX evidence_chain_row_idx ON evidence_chain (table_name, row_key, id);

-- hash = hex(SHA-256(utf8(prev_hash || '|evidence:v1|' || table || '|' || key || '|' || digest || '|' || at))),
-- `at` in UTC with microseconds. The key: the row's id, or (a table without one) its digest.
CREATE FUNCTION evidence_chain_add(tbl text, r jsonb) RETURNS void
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
DECLARE
  digest text := encode(sha256(convert_to(r::text, 'UTF8')), 'hex');
  key text := coalesce(r->>'id', digest);
  at timestamptz := clock_timestamp();
  head text;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'evidence: write under READ COMMITTED only (the hash chain needs the latest head)';
  END IF;
  PERFORM pg_advisory_xact_lock(7340145);
  SELECT hash INTO head FROM evidence_chain ORDER BY id DESC LIMIT 1;
  head := coalesce(head, repeat('0', 64));
  INSERT INTO evidence_chain (at, table_name, row_key, row_digest, prev_hash, hash)
  VALUES (at, tbl, key, digest, head, encode(sha256(convert_to(
    head || '|evidence:v1|' || tbl || '|' || key || '|' || digest || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'UTF8')), 'hex'));
END
$$;

-- The row as JSON in UTC (timestamps are written in the session's time zone otherwise).
CREATE FUNCTION evidence_chain_link() RETURNS trigger
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
BEGIN
  PERFORM evidence_chain_add(TG_TABLE_NAME, to_jsonb(NEW));
  RETURN NULL;
END
$$;

CREATE FUNCTION evidence_chain_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence_chain is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER evidence_chain_no_update_delete BEFORE UPDATE OR DELETE ON evidence_chain FOR EACH ROW EXECUTE FUNCTION evidence_chain_append_only();
CREATE TRIGGER evidence_chain_no_truncate BEFORE TRUNCATE ON evidence_chain FOR EACH STATEMENT EXECUTE FUNCTION evidence_chain_append_only();

CREATE TRIGGER message_threads_evidence AFTER INSERT ON message_threads FOR EACH ROW EXECUTE FUNCTION evidence_chain_link();
CREATE TRIGGER messages_evidence AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION evidence_chain_link();
CREATE TRIGGER message_attachments_evidence AFTER INSERT ON message_attachments FOR EACH ROW EXECUTE FUNCTION evidence_chain_link();
CREATE TRIGGER security_incidents_evidence AFTER INSERT OR UPDATE ON security_incidents FOR EACH ROW EXECUTE FUNCTION evidence_chain_link();
CREATE TRIGGER security_incident_clients_evidence AFTER INSERT ON security_incident_clients FOR EACH ROW EXECUTE FUNCTION evidence_chain_link();
CREATE TRIGGER permission_events_evidence AFTER INSERT ON permission_events FOR EACH ROW EXECUTE FUNCTION evidence_chain_link();

-- The rows already there, table by table.
DO $$
DECLARE
  t text;
  r record;
BEGIN
  PERFORM set_config('timezone', 'UTC', true);
  FOREACH t IN ARRAY ARRAY['permission_events', 'security_incidents', 'security_incident_clients', 'message_threads', 'messages', 'message_attachments'] LOOP
    FOR r IN EXECUTE format('SELECT to_jsonb(x) AS j FROM %I x', t) LOOP
      PERFORM evidence_chain_add(t, r.j);
    END LOOP;
  END LOOP;
END
$$;
