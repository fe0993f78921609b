import { defineServerKind } from '../sync/kind';
import { insertDemoNotes } from './demo';
import { journalSync } from './sync';

/** The journal on the server (docs/journal.md): the synced kind (sync.ts) and the demo journal entries and day notes, written together (demo.ts). server/kinds.ts lists it. */
export const journalServer = defineServerKind({ ...journalSync, seed: insertDemoNotes });
