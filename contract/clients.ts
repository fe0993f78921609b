import { z } from 'zod';
import { Uuid } from './domain';
import { defineSyncKind } from './sync-kind';

/** A client (brukare) of a unit. */
export const ClientRecord = z.object({
  id: Uuid,
  unitId: Uuid,
  /** 12 digits. */
  personnummer: z.string().regex(/^\d{12}$/),
  givenName: z.string(),
  familyName: z.string(),
});
export type ClientRecord = z.infer<typeof ClientRecord>;

/** Clients are synced read-only: the server's register is the source, no workstation writes them. */
export const clientsKind = defineSyncKind({ name: 'client', record: ClientRecord, mutations: [] });
