-- Card-signed login (server/auth, docs/login.md) and the access log (docs/access-log.md).
-- Portable between PostgreSQL 15+ and PGlite: only built-ins (sha256(bytea) since PostgreSQL 11,
-- plpgsql, advisory locks); no pgcrypto, which PGlite does not ship.

-- A challenge nonce: base64url of 32 random bytes, valid 5 minutes, usable once.
CREATE TABLE login_nonces (
  nonce text PRIMARY KEY,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX login_nonces_expires_at_idx ON login_nonces (expires_at);

-- A session: only the SHA-256 of the bearer token is stored. Short-lived (expires_at), renewed
-- while the card stays in, never beyond absolute_expires_at; revoked at logout.
CREATE TABLE auth_sessions (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  staff_id uuid NOT NULL REFERENCES staff (id),
  hsa_id text NOT NULL,
  cert_sha256 text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX auth_sessions_staff_id_idx ON auth_sessions (staff_id);
CREATE INDEX auth_sessions_expires_at_idx ON auth_sessions (expires_at);

-- The access log (HSLF-FS 2016:40): who did what to which record, when, from where. Append-only
-- and tamper-evident: every row carries hash = SHA-256 over the previous row's hash and its own
-- fields (access_log_row_hash below), set by a trigger, so an altered, inserted or removed row
-- breaks the chain (server/audit/access-log.ts verifyChain). Never: PINs, nonces, signatures,
-- tokens, certificates, personnummer, note text. No foreign keys: log rows outlive everything.
CREATE SEQUENCE access_log_id_seq AS bigint;
CREATE TABLE access_log (
  -- Assigned by the trigger under the chain lock, so id order is chain order.
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_staff_id uuid,
  actor_hsa_id text CHECK (actor_hsa_id ~ '^SE[0-9]{10}-[A-Za-z0-9]{1,31}$'),
  action text NOT NULL CHECK (action IN ('login', 'login_failed', 'session_renewed', 'logout', 'read', 'copy', 'export', 'change')),
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
  error_code text CHECK (error_code ~ '^[A-Z_]{1,40}$'),
  client_id uuid,
  record_type text CHECK (record_type ~ '^[a-z_]{1,40}$'),
  record_id text CHECK (length(record_id) <= 100),
  workstation text CHECK (length(workstation) <= 100),
  -- SHA-256 (hex) of the certificate presented at login: ties failed attempts together.
  cert_sha256 text CHECK (cert_sha256 ~ '^[0-9a-f]{64}$'),
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
ALTER SEQUENCE access_log_id_seq OWNED BY access_log.id;
CREATE INDEX access_log_at_idx ON access_log (at);
CREATE INDEX access_log_actor_staff_id_idx ON access_log (actor_staff_id, at);
CREATE INDEX access_log_client_id_idx ON access_log (client_id, at);

-- The canonical form of a row, version 1 (docs/access-log.md; recomputed in TypeScript by
-- verifyChain): 'access-log:v1' and the fields below, each NULL as '-' or as
-- '<octet length>:<text>', joined by '|'; at in UTC with milliseconds. Then
-- hash = hex(SHA-256(utf8(prev_hash || '|' || canonical))).
CREATE FUNCTION access_log_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END
$$;

CREATE FUNCTION access_log_row_hash(r access_log) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    r.prev_hash || '|access-log:v1'
    || '|' || access_log_field(r.id::text)
    || '|' || access_log_field(to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    || '|' || access_log_field(r.actor_staff_id::text)
    || '|' || access_log_field(r.actor_hsa_id)
    || '|' || access_log_field(r.action)
    || '|' || access_log_field(r.outcome)
    || '|' || access_log_field(r.error_code)
    || '|' || access_log_field(r.client_id::text)
    || '|' || access_log_field(r.record_type)
    || '|' || access_log_field(r.record_id)
    || '|' || access_log_field(r.workstation)
    || '|' || access_log_field(r.cert_sha256),
    'UTF8')), 'hex')
$$;

-- Links a new row to the chain. The advisory lock (held to the end of the inserting transaction)
-- serialises writers, so each one reads the head committed by the one before and the chain stays
-- linear across connections and server nodes. READ COMMITTED only: an older snapshot (REPEATABLE
-- READ, SERIALIZABLE) might not see the head and would fork the chain.
CREATE FUNCTION access_log_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  head text;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'access_log: insert under READ COMMITTED only (the hash chain needs the latest head)';
  END IF;
  PERFORM pg_advisory_xact_lock(7340102);
  SELECT hash INTO head FROM access_log ORDER BY id DESC LIMIT 1;
  NEW.id := nextval('access_log_id_seq');
  NEW.at := date_trunc('milliseconds', coalesce(NEW.at, now()));
  NEW.prev_hash := coalesce(head, repeat('0', 64));
  NEW.hash := access_log_row_hash(NEW);
  RETURN NEW;
END
$$;

CREATE FUNCTION access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_chain();
CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM PUBLIC;
