import { defineServerKind } from '../sync/kind';
import { insertDemoDeviations } from './demo';
import { registerDeviationRoutes } from './routes';
import { deviationsSync } from './sync';

/** Deviations (avvikelser) on the server (docs/deviations.md): the synced kind (sync.ts), the routes (routes.ts), the demo reports (demo.ts). server/kinds.ts lists it. */
export const deviationsServer = defineServerKind({ ...deviationsSync, routes: registerDeviationRoutes, seed: insertDemoDeviations });
