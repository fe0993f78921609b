-- Withdrawing a notice (docs/messages.md): the rows stay (who published and who withdrew, when),
-- marked withdrawn; the feed then carries a delete to every workstation that had the notice
-- (server/notices/sync.ts: a withdrawn notice fails the kind's `where`). The notices_sync trigger
-- of migration 0016 fires on UPDATE already. Once withdrawn, a notice stays withdrawn.
ALTER TABLE notices ADD COLUMN withdrawn_at timestamptz;
ALTER TABLE notices ADD COLUMN withdrawn_by_staff_id uuid REFERENCES staff (id);
ALTER TABLE notices ADD CONSTRAINT notices_withdrawn_check CHECK ((withdrawn_at IS NULL) = (withdrawn_by_staff_id IS NULL));
CREATE INDEX notices_notice_id_idx ON notices (notice_id);
