/**
 * Assignments in SQL (server/migrations/0004_assignments.sql), split along its seams:
 * - queries/: lists with keyset paging (list.ts), one assignment with its history and the read
 *   event (get.ts), the batch the sync pull hands out (for-sync.ts);
 * - commands/: actions (act.ts) and a new assignment (send.ts), each in one transaction that locks
 *   the row, runs the state machine, writes the new state, appends the history event
 *   (history.ts) and the access-log `change` event, all or nothing;
 * - scope.ts (who may see what), sql-rows.ts (rows ↔ contract), access.ts (the access-log events).
 * This module is the store's surface for routes, the sync pull and tests.
 */
export { NOT_FOUND_MESSAGE, type ActContext, type Scope } from './scope';
export { listAssignments } from './queries/list';
export { getAssignment, readAssignment } from './queries/get';
export { loadAssignmentsForSync } from './queries/for-sync';
export { actOnAssignment, type ActionCheck } from './commands/act';
export { sendAssignment } from './commands/send';
