import { swedishDate } from '#contract';
import type { PermittedUnit } from '#contract';
import type { StaffRole } from '#contract';
import { activeRoles } from '../admin/roles';
import type { SqlClient } from './sql';

export interface StaffRecord {
  id: string;
  hsaId: string;
  givenName: string;
  familyName: string;
  title: string;
  role: StaffRole;
}

/** Who a card holder is and which units they may work in now. */
export interface StaffDirectory {
  findStaffByHsaId(hsaId: string): Promise<StaffRecord | null>;
  /**
   * Permissions valid on `now`'s calendar day in Sweden (valid_to is an inclusive last day), on
   * units of the staff member's own organisation.
   */
  activePermissions(staffId: string, now: Date): Promise<PermittedUnit[]>;
  /**
   * Whether she holds a role in force (administrator, superuser, manager; server/admin/roles.ts):
   * such a person may log in without any unit permission. Absent: nobody does.
   */
  holdsRole?(staffId: string, now: Date): Promise<boolean>;
}

/** Over the server schema: staff(id, hsa_id, given_name, family_name, title, role, organisation_id), permissions, units. */
export class SqlStaffDirectory implements StaffDirectory {
  constructor(private readonly db: SqlClient) {}

  async findStaffByHsaId(hsaId: string): Promise<StaffRecord | null> {
    const { rows } = await this.db.query<{ id: string; hsa_id: string; given_name: string; family_name: string; title: string; role: StaffRole }>(
      'SELECT id, hsa_id, given_name, family_name, title, role FROM staff WHERE hsa_id = $1',
      [hsaId],
    );
    const r = rows[0];
    return r ? { id: r.id, hsaId: r.hsa_id, givenName: r.given_name, familyName: r.family_name, title: r.title, role: r.role } : null;
  }

  async activePermissions(staffId: string, now: Date): Promise<PermittedUnit[]> {
    const { rows } = await this.db.query<{ unit_id: string; name: string; valid_from: string; valid_to: string | null }>(
      `SELECT p.unit_id, u.name, p.valid_from::text AS valid_from, p.valid_to::text AS valid_to
         FROM permissions p
         JOIN units u ON u.id = p.unit_id
         JOIN staff s ON s.id = p.staff_id AND s.organisation_id = u.organisation_id
        WHERE p.staff_id = $1 AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to >= $2::date)
        ORDER BY u.name`,
      [staffId, swedishDate(now)],
    );
    return rows.map((r) => ({ unitId: r.unit_id, name: r.name, validFrom: r.valid_from, validTo: r.valid_to }));
  }

  async holdsRole(staffId: string, now: Date): Promise<boolean> {
    return (await activeRoles(this.db, staffId, now)).length > 0;
  }
}
