/** Clients on the server: the synced kind (sync.ts), no routes or demo data of their own. server/kinds.ts lists it. */
export { clientsServer } from './sync';
