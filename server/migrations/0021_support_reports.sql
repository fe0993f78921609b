-- First-line support (issue 17, docs/administration.md "Första linjens support"): each workstation
-- reports the state of its own machinery while a user is logged in. One row per workstation and
-- person, replaced by every report (the latest only: a handful of rows per person, no history).
-- No personal data beyond who is logged in (staff_id, already known from the session): no text,
-- no client, no certificate, no path; error codes are the contract's (contract/result.ts).
CREATE TABLE support_reports (
  workstation_id uuid NOT NULL,
  staff_id uuid NOT NULL REFERENCES staff (id),
  workstation_name text CHECK (length(workstation_name) <= 100),
  received_at timestamptz NOT NULL,
  app_version text NOT NULL CHECK (length(app_version) <= 50),
  host text NOT NULL CHECK (host IN ('electron', 'browser')),
  last_sync_ok_at timestamptz,
  sync_outcome text NOT NULL CHECK (sync_outcome IN ('ok', 'error', 'none')),
  sync_code text CHECK (length(sync_code) <= 40),
  -- NULL: the local store was not open, so the queue could not be counted.
  queued integer CHECK (queued >= 0),
  queued_oldest_at timestamptz,
  refusals integer CHECK (refusals >= 0),
  -- [{ "code": "PERMISSION_ENDED", "count": 2 }, …]: codes only, never a refused write's text.
  refusal_codes jsonb,
  card_service text NOT NULL CHECK (card_service IN ('ok', 'unavailable')),
  readers integer NOT NULL CHECK (readers >= 0),
  card_present boolean NOT NULL,
  logged_in_at timestamptz NOT NULL,
  store_state text NOT NULL CHECK (store_state IN ('closed', 'opening', 'open', 'unreadable', 'resyncing', 'failed')),
  store_bytes bigint CHECK (store_bytes >= 0),
  PRIMARY KEY (staff_id, workstation_id)
);
