-- Card-signed login (server/auth): single-use login nonces and session tokens.
-- Copy into the numbered migrations (server/migrations/NNNN_auth.sql). PostgreSQL 15 and PGlite.

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
  staff_id uuid NOT NULL,
  hsa_id text NOT NULL,
  cert_sha256 text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX auth_sessions_staff_id_idx ON auth_sessions (staff_id);
CREATE INDEX auth_sessions_expires_at_idx ON auth_sessions (expires_at);
