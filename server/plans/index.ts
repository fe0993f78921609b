import { defineServerKind } from '../sync/kind';
import { insertDemoPlans } from './demo';
import { registerPlanOfficerRoutes } from './officer';
import { plansSync } from './sync';

/** Plans (genomförandeplaner) on the server (docs/plans.md): the synced kind (sync.ts), the case officer's routes (officer.ts), the demo plans (demo.ts). server/kinds.ts lists it. */
export const plansServer = defineServerKind({ ...plansSync, routes: registerPlanOfficerRoutes, seed: insertDemoPlans });
