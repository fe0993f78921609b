-- A change by the case officer is something for the provider to handle until someone confirms
-- having seen it (docs/assignments.md, "Changes by the case officer"): the officer's `change` sets
-- change_pending, the provider's `confirm_change` (a history event of its own) clears it, and so
-- does reaching a final status. The inbox counts it as needing action.
ALTER TABLE assignments ADD COLUMN change_pending boolean NOT NULL DEFAULT false;
ALTER TABLE assignments ADD CHECK (NOT change_pending OR status NOT IN ('cancelled', 'ended'));

ALTER TABLE assignment_events DROP CONSTRAINT assignment_events_action_check;
ALTER TABLE assignment_events ADD CONSTRAINT assignment_events_action_check CHECK (action IN ('send', 'change', 'cancel', 'end',
  'confirm', 'distribute', 'execute', 'report', 'pause', 'resume', 'confirm_cancellation', 'register_absence', 'register_presence',
  'confirm_change'));
