import { defineServerKind } from '../sync/kind';
import { insertDemoConsents } from './demo';
import { consentsSync } from './sync';

/** The consent register on the server (docs/consents.md): the synced kind (sync.ts) and its demo consents (demo.ts); no routes of its own. server/kinds.ts lists it. */
export const consentsServer = defineServerKind({ ...consentsSync, seed: insertDemoConsents });
