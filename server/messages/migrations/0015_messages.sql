-- Secure messages (docs/messages.md): threads with a subject and participants (named staff and/or
-- the unit's inbox), the messages in them, and read receipts. All three are append-only: a sent
-- message is part of the documentation trail and is never changed or deleted, only followed by
-- another; a receipt is a fact. The runtime role may only INSERT (server/db/roles.ts, APPEND_ONLY).

CREATE TABLE message_threads (
  id uuid PRIMARY KEY,
  -- The provider unit the thread belongs to: its sync feed, and its inbox when to_unit.
  unit_id uuid NOT NULL REFERENCES units (id),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  client_id uuid REFERENCES clients (id),
  assignment_id uuid REFERENCES assignments (id),
  to_unit boolean NOT NULL,
  -- Named participants (the author among them): ids for the secrecy checks, and as named when the
  -- thread started ([{ staffId, name, title }], in the same order).
  participant_ids uuid[] NOT NULL,
  participants jsonb NOT NULL CHECK (jsonb_typeof(participants) = 'array'),
  author_staff_id uuid NOT NULL REFERENCES staff (id),
  author_hsa_id text NOT NULL,
  author_name text NOT NULL,
  author_title text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  client_created_at timestamptz,
  CHECK (to_unit OR cardinality(participant_ids) >= 2)
);
CREATE INDEX message_threads_participants_idx ON message_threads USING gin (participant_ids);
CREATE INDEX message_threads_inbox_idx ON message_threads (unit_id) WHERE to_unit;
CREATE INDEX message_threads_assignment_idx ON message_threads (assignment_id) WHERE assignment_id IS NOT NULL;

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  thread_id uuid NOT NULL REFERENCES message_threads (id),
  -- The thread's unit (a thread never moves), so the feed finds the message's unit.
  unit_id uuid NOT NULL REFERENCES units (id),
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
  author_staff_id uuid NOT NULL REFERENCES staff (id),
  author_hsa_id text NOT NULL,
  author_name text NOT NULL,
  author_title text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  client_created_at timestamptz
);
CREATE INDEX messages_thread_idx ON messages (thread_id, created_at, id);
CREATE INDEX messages_text_idx ON messages USING gin (to_tsvector('simple', text));

CREATE TABLE message_reads (
  message_id uuid NOT NULL REFERENCES messages (id),
  staff_id uuid NOT NULL REFERENCES staff (id),
  staff_name text NOT NULL,
  read_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, staff_id)
);

CREATE FUNCTION messages_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER message_threads_no_change BEFORE UPDATE OR DELETE ON message_threads FOR EACH ROW EXECUTE FUNCTION messages_append_only();
CREATE TRIGGER message_threads_no_truncate BEFORE TRUNCATE ON message_threads FOR EACH STATEMENT EXECUTE FUNCTION messages_append_only();
CREATE TRIGGER messages_no_change BEFORE UPDATE OR DELETE ON messages FOR EACH ROW EXECUTE FUNCTION messages_append_only();
CREATE TRIGGER messages_no_truncate BEFORE TRUNCATE ON messages FOR EACH STATEMENT EXECUTE FUNCTION messages_append_only();
CREATE TRIGGER message_reads_no_change BEFORE UPDATE OR DELETE ON message_reads FOR EACH ROW EXECUTE FUNCTION messages_append_only();
CREATE TRIGGER message_reads_no_truncate BEFORE TRUNCATE ON message_reads FOR EACH STATEMENT EXECUTE FUNCTION messages_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON message_threads, messages, message_reads FROM PUBLIC;

-- The feed: threads and messages by their own triggers; a receipt changes its message's record.
ALTER TABLE changes DROP CONSTRAINT changes_record_type_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_type_check
  CHECK (record_type IN ('client', 'journal_entry', 'day_note', 'assignment', 'plan', 'message_thread', 'message'));

CREATE TRIGGER message_threads_sync AFTER INSERT ON message_threads
  FOR EACH ROW EXECUTE FUNCTION sync_record_changed('message_thread');
CREATE TRIGGER messages_sync AFTER INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION sync_record_changed('message');

CREATE FUNCTION message_reads_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sync_append_change((SELECT unit_id FROM messages WHERE id = NEW.message_id), 'message', NEW.message_id, 'upsert');
  RETURN NULL;
END
$$;
CREATE TRIGGER message_reads_sync AFTER INSERT ON message_reads
  FOR EACH ROW EXECUTE FUNCTION message_reads_changed();
