import { z } from 'zod';
import { Uuid } from './domain';
import { IsoDateTime } from './values';

/**
 * What every synced record kind declares once, in its own contract module (docs/adding-a-feature.md):
 * its sync name (the `type` of its changes in the pull feed), its record schema, and the mutations a
 * workstation may queue for it offline. contract/sync.ts builds the feed's Change and the push's
 * Mutation unions from the registered kinds (SYNC_KINDS); nothing else in the contract names a kind.
 */
export interface SyncKind<
  Name extends string = string,
  Record extends z.ZodType = z.ZodType,
  Mutations extends readonly z.ZodObject[] = readonly z.ZodObject[],
  Access extends readonly string[] = readonly string[],
> {
  /** The record type in the feed, the store and the server's `changes.record_type`. */
  readonly name: Name;
  readonly record: Record;
  /** Each a strict object `{ mutationId, createdAt, type: '<name>.<verb>', record: { id, … } }` (defineMutation()). */
  readonly mutations: Mutations;
  /**
   * The record types under which the workstation reports reads, copies and exports of the kind to
   * the access log (contract/access-log.ts), e.g. a client's whole journal and one entry of it.
   */
  readonly access?: Access;
}

export const defineSyncKind = <const Name extends string, Record extends z.ZodType, const Mutations extends readonly z.ZodObject[], const Access extends readonly string[] = readonly []>(
  kind: SyncKind<Name, Record, Mutations, Access>,
): SyncKind<Name, Record, Mutations, Access> => kind;

/** Who wrote a record, stamped by the server from the session (never from the client). */
export const Author = z.object({
  staffId: Uuid,
  hsaId: z.string(),
  name: z.string(),
  title: z.string(),
});
export type Author = z.infer<typeof Author>;

/** A mutation of a kind: client-generated `mutationId` (applied at most once), its type and record (with the record's id). */
export const defineMutation = <const Type extends string, Rec extends z.ZodObject>(type: Type, record: Rec) =>
  z.object({ mutationId: Uuid, createdAt: IsoDateTime, type: z.literal(type), record }).strict();
