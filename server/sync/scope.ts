import type { PermittedUnit } from '#contract';
import type { StaffDirectory } from '../auth/staff';

/**
 * What a user may sync right now: the units they hold a permission for today (the Swedish
 * calendar day), one entry per unit even when several permissions overlap (the widest period wins).
 */
export async function syncScope(staff: StaffDirectory, staffId: string, now: Date): Promise<PermittedUnit[]> {
  const byUnit = new Map<string, PermittedUnit>();
  for (const p of await staff.activePermissions(staffId, now)) {
    const seen = byUnit.get(p.unitId);
    if (!seen) {
      byUnit.set(p.unitId, p);
      continue;
    }
    byUnit.set(p.unitId, {
      ...seen,
      validFrom: p.validFrom < seen.validFrom ? p.validFrom : seen.validFrom,
      validTo: seen.validTo === null || p.validTo === null ? null : p.validTo > seen.validTo ? p.validTo : seen.validTo,
    });
  }
  return [...byUnit.values()];
}
