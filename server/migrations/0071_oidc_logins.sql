-- A login through the organisation's identity provider under way (issue 29, server/auth/oidc.ts):
-- the state the authorization request carried, the nonce the ID token must echo, the workstation's
-- PKCE challenge and loopback redirect. Valid 5 minutes, usable once (consumed at finish, so a
-- replayed or mismatched state is refused). Works across server nodes.
CREATE TABLE oidc_logins (
  state text PRIMARY KEY CHECK (state ~ '^[A-Za-z0-9_-]{20,128}$'),
  nonce text NOT NULL CHECK (nonce ~ '^[A-Za-z0-9_-]{20,128}$'),
  code_challenge text NOT NULL CHECK (code_challenge ~ '^[A-Za-z0-9_-]{43}$'),
  redirect_uri text NOT NULL CHECK (length(redirect_uri) <= 200),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX oidc_logins_expires_at_idx ON oidc_logins (expires_at);
