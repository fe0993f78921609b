import { defineServerKind } from '../sync/kind';
import { insertDemoNotices } from './demo';
import { registerNoticeRoutes } from './routes';
import { noticesSync } from './sync';

/** Notices (anslagstavla) on the server (docs/messages.md): the synced kind (sync.ts), the publishing routes (routes.ts), the demo notices (demo.ts). server/kinds.ts lists it. */
export const noticesServer = defineServerKind({ ...noticesSync, routes: registerNoticeRoutes, seed: insertDemoNotices });
