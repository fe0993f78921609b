-- Which login opened a session (issue 19): a case officer's session ('officer') holds no unit
-- permission by design, so renewing it must not ask for one. Sessions from before are workstation
-- sessions.
ALTER TABLE auth_sessions ADD COLUMN audience text NOT NULL DEFAULT 'workstation' CHECK (audience IN ('workstation', 'officer'));

-- A journal entry names an assignment that exists (the push refuses others as NOT_FOUND first;
-- this is the database's own guard). NOT VALID: entries written before are not re-checked.
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_assignment_fk FOREIGN KEY (assignment_id) REFERENCES assignments (id) NOT VALID;
