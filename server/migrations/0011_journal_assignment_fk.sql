-- A journal entry names an assignment that exists (the push refuses others as NOT_FOUND first;
-- this is the database's own guard). NOT VALID: entries written before are not re-checked.
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_assignment_fk FOREIGN KEY (assignment_id) REFERENCES assignments (id) NOT VALID;
