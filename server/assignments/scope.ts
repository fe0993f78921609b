import type { StaffRecord } from '../auth/staff';
import type { Queryable } from '../db/types';

/**
 * Whose assignments a caller may see: the unit ids of their permissions today (provider staff);
 * for a case officer `{ officer }`, the assignments of the clients she sent one for (the rule of
 * every client read, issue 25: the case officer of one of the client's assignments); `'all'` for
 * the server's own reads after a write. Out of scope answers exactly like missing (NOT_FOUND), so
 * existence is not revealed.
 */
export type Scope = ReadonlySet<string> | 'all' | { officer: string };

export const NOT_FOUND_MESSAGE = 'Uppdraget finns inte, eller så har du inte behörighet till det.';

/** Whether an assignment of `unitId` about `clientId` is in scope. */
export async function inScope(q: Queryable, scope: Scope, a: { unitId: string; clientId: string }): Promise<boolean> {
  if (scope === 'all') return true;
  if ('officer' in scope) return (await q.query('SELECT 1 FROM assignments WHERE client_id = $1 AND sent_by_staff_id = $2 LIMIT 1', [a.clientId, scope.officer])).rows.length > 0;
  return scope.has(a.unitId);
}

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Who acts, when, and from which workstation: stamped on history and access-log events. */
export interface ActContext {
  actor: StaffRecord;
  now: Date;
  workstation?: string;
}
