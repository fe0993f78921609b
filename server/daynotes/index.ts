/** Day notes on the server: the synced kind (sync.ts), no routes or demo data of their own. server/kinds.ts lists it. */
export { dayNotesServer } from './sync';
