import { defineServerKind } from '../sync/kind';
import { loadAssignmentsForSync } from './store';

/**
 * Assignments in the feed: few, with their history, so built here from the assignment store's own
 * mapping instead of by PostgreSQL. Their changes enter the feed from the assignment store's writes
 * (sync_append_change, migration 0005); workstations change them online only (no pushed mutations).
 */
export const assignmentsSync = defineServerKind({
  name: 'assignment',
  feed: { load: loadAssignmentsForSync },
  appendOnly: ['assignment_events'],
});
