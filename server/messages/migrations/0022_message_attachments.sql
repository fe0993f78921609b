-- A PDF the product itself produced (a journal or implementation plan export) attached to a message
-- (docs/messages.md). Kept like the message it belongs to: append-only, never changed or deleted.
-- One attachment per message; the PDF is checked here too (size, the %PDF- magic bytes), not
-- only by the API.
CREATE TABLE message_attachments (
  id uuid PRIMARY KEY,
  message_id uuid NOT NULL UNIQUE REFERENCES messages (id),
  thread_id uuid NOT NULL REFERENCES message_threads (id),
  kind text NOT NULL CHECK (kind IN ('journal', 'plan')),
  file_name text NOT NULL CHECK (file_name ~ '^[a-z0-9-]{1,116}\.pdf$'),
  content_type text NOT NULL DEFAULT 'application/pdf' CHECK (content_type = 'application/pdf'),
  bytes integer NOT NULL CHECK (bytes BETWEEN 5 AND 2097152),
  content bytea NOT NULL CHECK (octet_length(content) = bytes AND substring(content FROM 1 FOR 5) = '\x255044462d'::bytea),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_attachments_thread_idx ON message_attachments (thread_id);

CREATE TRIGGER message_attachments_no_change BEFORE UPDATE OR DELETE ON message_attachments FOR EACH ROW EXECUTE FUNCTION messages_append_only();
CREATE TRIGGER message_attachments_no_truncate BEFORE TRUNCATE ON message_attachments FOR EACH STATEMENT EXECUTE FUNCTION messages_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON message_attachments FROM PUBLIC;
