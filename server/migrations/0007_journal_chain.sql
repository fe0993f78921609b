-- The journal is tamper-evident like the access log (docs/security.md): each entry carries the
-- hash of its client's previous entry, so an entry changed, removed or inserted behind the
-- server's back breaks its client's chain, which `npm run verify-log` walks (server/audit/
-- journal-chain.ts recomputes every hash independently). The hash covers what never changes;
-- marking an entry erroneous is an UPDATE the trigger allows once, and is itself a 'change' row in
-- the access log's chain.
ALTER TABLE journal_entries
  ADD COLUMN chain_index integer,
  ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  ADD COLUMN hash text UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$');

-- Canonical form, version 1: 'journal:v1' and the fields, each NULL as '-' or
-- '<octet length>:<text>' (access_log_field), joined by '|'; dates as YYYY-MM-DD, timestamps in
-- UTC with microseconds. hash = hex(SHA-256(utf8(prev_hash || '|' || canonical))).
CREATE FUNCTION journal_entry_row_hash(r journal_entries) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    r.prev_hash || '|journal:v1'
    || '|' || access_log_field(r.id::text)
    || '|' || access_log_field(r.client_id::text)
    || '|' || access_log_field(r.chain_index::text)
    || '|' || access_log_field(r.unit_id::text)
    || '|' || access_log_field(to_char(r.event_date, 'YYYY-MM-DD'))
    || '|' || access_log_field(r.text)
    || '|' || access_log_field(r.life_area)
    || '|' || access_log_field(r.assignment_id::text)
    || '|' || access_log_field(r.corrects_id::text)
    || '|' || access_log_field(r.author_staff_id::text)
    || '|' || access_log_field(r.author_hsa_id)
    || '|' || access_log_field(r.author_name)
    || '|' || access_log_field(r.author_title)
    || '|' || access_log_field(to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    || '|' || access_log_field(to_char(r.client_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
    'UTF8')), 'hex')
$$;

-- Links a new entry to its client's chain; the per-client advisory lock (to the end of the
-- transaction) keeps each chain linear across connections and nodes. READ COMMITTED only, as the
-- access log's chain.
CREATE FUNCTION journal_entries_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  last record;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'journal_entries: insert under READ COMMITTED only (the hash chain needs the latest head)';
  END IF;
  PERFORM pg_advisory_xact_lock(7340103, hashtext(NEW.client_id::text));
  SELECT chain_index, hash INTO last FROM journal_entries WHERE client_id = NEW.client_id ORDER BY chain_index DESC LIMIT 1;
  NEW.chain_index := coalesce(last.chain_index, 0) + 1;
  NEW.prev_hash := coalesce(last.hash, repeat('0', 64));
  NEW.hash := journal_entry_row_hash(NEW);
  RETURN NEW;
END
$$;

-- The entries already there, in the order they were saved.
DO $$
DECLARE
  e record;
  head text;
  idx integer;
  current_client uuid;
BEGIN
  ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_no_change;
  FOR e IN SELECT id, client_id FROM journal_entries ORDER BY client_id, created_at, id LOOP
    IF current_client IS DISTINCT FROM e.client_id THEN
      current_client := e.client_id;
      head := repeat('0', 64);
      idx := 0;
    END IF;
    idx := idx + 1;
    UPDATE journal_entries SET chain_index = idx, prev_hash = head WHERE id = e.id;
    UPDATE journal_entries j SET hash = journal_entry_row_hash(j) WHERE id = e.id RETURNING hash INTO head;
  END LOOP;
  ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_no_change;
END
$$;

ALTER TABLE journal_entries
  ALTER COLUMN chain_index SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL,
  ADD CONSTRAINT journal_entries_chain_unique UNIQUE (client_id, chain_index);

CREATE TRIGGER journal_entries_chain BEFORE INSERT ON journal_entries FOR EACH ROW EXECUTE FUNCTION journal_entries_chain();

-- The chain columns join the columns that never change.
CREATE OR REPLACE FUNCTION journal_entries_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'journal_entries is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.erroneous_at IS NOT NULL THEN
    RAISE EXCEPTION 'journal_entries: the entry is already marked erroneous' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.erroneous_at IS NULL
     OR (NEW.id, NEW.client_id, NEW.unit_id, NEW.event_date, NEW.text, NEW.life_area, NEW.assignment_id, NEW.corrects_id,
         NEW.author_staff_id, NEW.author_hsa_id, NEW.author_name, NEW.author_title, NEW.created_at, NEW.client_created_at,
         NEW.chain_index, NEW.prev_hash, NEW.hash)
        IS DISTINCT FROM
        (OLD.id, OLD.client_id, OLD.unit_id, OLD.event_date, OLD.text, OLD.life_area, OLD.assignment_id, OLD.corrects_id,
         OLD.author_staff_id, OLD.author_hsa_id, OLD.author_name, OLD.author_title, OLD.created_at, OLD.client_created_at,
         OLD.chain_index, OLD.prev_hash, OLD.hash) THEN
    RAISE EXCEPTION 'journal_entries: an entry is never changed; only marking it erroneous is allowed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
