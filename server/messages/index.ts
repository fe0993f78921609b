import { defineServerKind } from '../sync/kind';
import { registerMessageRoutes } from './routes';
import { messagesServer, messageThreadsSync } from './sync';

/** Messages on the server (docs/messages.md): the synced kinds, threads and messages (sync.ts), and the routes (routes.ts). server/kinds.ts lists it. */
export const messageThreadsServer = defineServerKind({ ...messageThreadsSync, routes: registerMessageRoutes });

export { messagesServer };
