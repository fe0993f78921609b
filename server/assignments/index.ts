import { defineServerKind } from '../sync/kind';
import { insertDemoAssignments } from './demo';
import { registerAssignmentRoutes } from './routes';
import { assignmentsSync } from './sync';

/** Assignments on the server (docs/assignments.md): the synced kind (sync.ts), the case officer's and the provider's routes (routes.ts), the demo assignments (demo.ts). server/kinds.ts lists it. */
export const assignmentsServer = defineServerKind({ ...assignmentsSync, routes: registerAssignmentRoutes, seed: insertDemoAssignments });
