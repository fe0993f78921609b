import { api } from '../../bridge';

/**
 * What the assignment panels do beside the inbox the store holds (inbox-store.ts), as plain
 * functions over the API client (docs/assignments.md): the components call these and never the
 * bridge. Each answers the API's Result as it came.
 */

/** The units the assignment may be distributed to (online). */
export const distributionTargets = (assignmentId: string) => api.inbox.targets({ id: assignmentId });

/** The staff of a unit, to choose whom the assignment goes to. */
export const staffOfUnit = (unitId: string) => api.inbox.staff({ unitId });

/** A client's assignments from the store, newest start first (the links on the client's page). */
export const clientAssignments = (clientId: string) => api.inbox.list({ clientId, sort: 'start_desc', limit: 20 });
