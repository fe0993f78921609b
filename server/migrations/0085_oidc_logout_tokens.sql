-- Back-channel logout (issue 29; OpenID Connect Back-Channel Logout 1.0, server/auth/oidc.ts): the
-- jti of every logout token accepted, so a replayed token is refused. Kept until the token could no
-- longer be accepted anyway (its iat beyond the accepted age), then purged (server/auth/purge.ts).
CREATE TABLE oidc_logout_tokens (
  issuer text NOT NULL CHECK (length(issuer) <= 300),
  jti text NOT NULL CHECK (length(jti) BETWEEN 1 AND 200),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX oidc_logout_tokens_expires_at_idx ON oidc_logout_tokens (expires_at);
