-- Which login opened a session (issue 19): a case officer's session ('officer') holds no unit
-- permission by design, so renewing it must not ask for one. Sessions from before are workstation
-- sessions.
ALTER TABLE auth_sessions ADD COLUMN audience text NOT NULL DEFAULT 'workstation' CHECK (audience IN ('workstation', 'officer'));
