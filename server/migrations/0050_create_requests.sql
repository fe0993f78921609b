-- One action, one record (issue 32, docs/sync.md "Every create once"): every create over the
-- HTTP API may carry a client-made id (`requestId`, or a message's own `id`). The server keeps it
-- here, claimed in the create's own transaction: the same id again — a double-click, a retry
-- after a lost answer, two sends at once (the second INSERT waits for the first to commit) —
-- answers the record made the first time instead of making another. A create that fails rolls
-- its claim back with it, so the retry runs. No personal data: ids, the route and who sent it.
CREATE TABLE create_requests (
  request_id uuid PRIMARY KEY,
  staff_id uuid NOT NULL REFERENCES staff (id),
  -- The route's contract name, e.g. 'messages.start': the same id on another route is a conflict.
  route text NOT NULL CHECK (length(route) <= 60),
  -- The record made (its id as text: a uuid, or a kind's own key).
  record_id text CHECK (length(record_id) <= 200),
  created_at timestamptz NOT NULL
);
CREATE INDEX create_requests_created_at ON create_requests (created_at);
