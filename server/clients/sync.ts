import { defineServerKind } from '../sync/kind';

/** Clients in the feed: read-only for workstations (no pushed mutations). */

/** ClientRecord of the `clients` row aliased `t`. personnummer is char(12): trimmed, as the contract wants its 12 digits. */
export const clientJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'unitId', ${t}.unit_id, 'personnummer', rtrim(${t}.personnummer), 'givenName', ${t}.given_name, 'familyName', ${t}.family_name)::text`;

export const clientsServer = defineServerKind({ name: 'client', feed: { table: 'clients', json: clientJson } });
