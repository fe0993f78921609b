-- Who sent which assignments (issue 25): the secrecy rule of messages asks, for each person named
-- in a thread, which organisations a case officer works with (the units she sent assignments to),
-- and the officer's own assignment list asks which clients she is case officer for. Without this
-- index each is a scan of every assignment.
CREATE INDEX assignments_sender_idx ON assignments (sent_by_staff_id, unit_id);
