-- Revocation at renewal (issue 25 point 7, docs/login.md "Revocation"): the session keeps the login
-- certificate (public; DER) so a renewal can ask OCSP about it again, and when a verified good
-- answer (or the login's) was last had, for the grace when the responder cannot be reached.
ALTER TABLE auth_sessions ADD COLUMN certificate bytea;
ALTER TABLE auth_sessions ADD COLUMN revocation_checked_at timestamptz;
