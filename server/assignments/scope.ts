import type { StaffRecord } from '../auth/staff';

/**
 * Whose assignments a caller may see: the unit ids of their permissions today (provider staff) or
 * `'all'` (the case officer). Out of scope answers exactly like missing (NOT_FOUND), so existence
 * is not revealed.
 */
export type Scope = ReadonlySet<string> | 'all';

export const NOT_FOUND_MESSAGE = 'Uppdraget finns inte, eller så har du inte behörighet till det.';

export const inScope = (scope: Scope, unitId: string) => scope === 'all' || scope.has(unitId);

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Who acts, when, and from which workstation: stamped on history and access-log events. */
export interface ActContext {
  actor: StaffRecord;
  now: Date;
  workstation?: string;
}
