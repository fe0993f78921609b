-- Login without the card (issue 29, docs/login.md): a session knows how it was opened and at which
-- assurance level (tillitsnivå, LoA). 'card' is the SITHS card (LoA3 by its certificate policy);
-- 'oidc' the organisation's identity provider (LoA from the ID token's acr); 'password_sms' and
-- 'password_yubikey' a password with a one-time code. Sessions from before are card sessions at LoA3.
ALTER TABLE auth_sessions ADD COLUMN auth_method text NOT NULL DEFAULT 'card'
  CHECK (auth_method IN ('card', 'oidc', 'password_sms', 'password_yubikey'));
ALTER TABLE auth_sessions ADD COLUMN loa smallint NOT NULL DEFAULT 3 CHECK (loa BETWEEN 1 AND 4);
-- Only a card session has a login certificate.
ALTER TABLE auth_sessions ALTER COLUMN cert_sha256 DROP NOT NULL;
ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_card_has_certificate
  CHECK (auth_method <> 'card' OR cert_sha256 IS NOT NULL);
-- An identity provider's session ('oidc'): its issuer and sid claim, so that its end (back-channel
-- or front-channel logout, or the ID token's expiry seen at renewal) ends ours. No personal data.
ALTER TABLE auth_sessions ADD COLUMN idp_session text CHECK (length(idp_session) <= 300);
-- The ID token's expiry: an oidc session is not renewed beyond it (re-login through the IdP).
ALTER TABLE auth_sessions ADD COLUMN idp_expires_at timestamptz;
CREATE INDEX auth_sessions_idp_session_idx ON auth_sessions (idp_session) WHERE idp_session IS NOT NULL;

-- The access log records the method and level of every session: on login, login_failed (when the
-- method is known), session_renewed and logout rows. Rows without them keep the v1 canonical form;
-- a row with either is hashed in form v2 = v1's fields, then auth_method and loa
-- (server/audit/access-log.ts rowHash recomputes both).
ALTER TABLE access_log ADD COLUMN auth_method text CHECK (auth_method IN ('card', 'oidc', 'password_sms', 'password_yubikey'));
ALTER TABLE access_log ADD COLUMN loa smallint CHECK (loa BETWEEN 1 AND 4);

CREATE OR REPLACE FUNCTION access_log_row_hash(r access_log) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    r.prev_hash
    || CASE WHEN r.auth_method IS NULL AND r.loa IS NULL THEN '|access-log:v1' ELSE '|access-log:v2' END
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
    || '|' || access_log_field(r.cert_sha256)
    || CASE WHEN r.auth_method IS NULL AND r.loa IS NULL THEN ''
       ELSE '|' || access_log_field(r.auth_method) || '|' || access_log_field(r.loa::text) END,
    'UTF8')), 'hex')
$$;
