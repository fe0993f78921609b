import type { StaffRole } from '#contract';
import type { Queryable } from '../../db/types';

/** The SQL of password logins (migration 0075): credentials, the organisation's methods, keys, pending logins. */
export interface CredentialRow {
  staff_id: string;
  username: string;
  password_hash: string;
  phone: string | null;
  failed_attempts: number;
  locked_at: Date | string | null;
  hsa_id: string;
  given_name: string;
  family_name: string;
  title: string;
  role: StaffRole;
  organisation_id: string | null;
}

export interface YubikeyRow {
  public_id: string;
  staff_id: string;
  verification: 'local' | 'yubico';
  aes_key: string | null;
  private_id: string | null;
  last_counter: number;
  last_session: number;
  created_at: Date | string;
}

/** After this many failed passwords or codes in a row the account is locked until the administrator opens it. */
export const LOCK_AFTER_FAILURES = 5;

const CREDENTIALS = `SELECT c.staff_id, c.username, c.password_hash, c.phone, c.failed_attempts, c.locked_at,
            s.hsa_id, s.given_name, s.family_name, s.title, s.role, s.organisation_id
       FROM staff_credentials c JOIN staff s ON s.id = c.staff_id`;

const oneCredential = async (db: Queryable, where: string, value: string): Promise<CredentialRow | null> =>
  (await db.query<CredentialRow>(`${CREDENTIALS} WHERE ${where} = $1`, [value])).rows[0] ?? null;

export const credentialsByUsername = (db: Queryable, username: string) => oneCredential(db, 'c.username', username);
export const credentialsByStaff = (db: Queryable, staffId: string) => oneCredential(db, 'c.staff_id', staffId);

/** One more failure in a row; locks at the limit. True when the account is (now) locked. */
export async function countFailure(db: Queryable, staffId: string, at: Date): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(
    `UPDATE staff_credentials SET failed_attempts = failed_attempts + 1,
            locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= $3 THEN $2 ELSE locked_at END
      WHERE staff_id = $1 RETURNING locked_at IS NOT NULL AS locked`,
    [staffId, at, LOCK_AFTER_FAILURES],
  );
  return rows[0]?.locked ?? false;
}

export const clearFailures = (db: Queryable, staffId: string) =>
  db.query('UPDATE staff_credentials SET failed_attempts = 0 WHERE staff_id = $1 AND locked_at IS NULL', [staffId]);

export interface OrganisationMethods {
  passwordSms: boolean;
  passwordYubikey: boolean;
}

export async function organisationMethods(db: Queryable, organisationId: string | null): Promise<OrganisationMethods> {
  if (!organisationId) return { passwordSms: false, passwordYubikey: false };
  const { rows } = await db.query<{ password_sms: boolean; password_yubikey: boolean }>(
    'SELECT password_sms, password_yubikey FROM organisation_login_methods WHERE organisation_id = $1',
    [organisationId],
  );
  return { passwordSms: rows[0]?.password_sms ?? false, passwordYubikey: rows[0]?.password_yubikey ?? false };
}

export async function setOrganisationMethods(db: Queryable, organisationId: string, m: OrganisationMethods, by: string | null, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO organisation_login_methods (organisation_id, password_sms, password_yubikey, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (organisation_id) DO UPDATE SET password_sms = $2, password_yubikey = $3, updated_at = $4, updated_by = $5`,
    [organisationId, m.passwordSms, m.passwordYubikey, at, by],
  );
}

/**
 * What the seeds' municipalities run (issue 29): Göteborg and Oskarshamn password + SMS code,
 * Mölndal password + YubiKey or SMS; anyone else none (the card only) until the administrator says.
 */
export function defaultMethodsFor(municipality: string): OrganisationMethods {
  switch (municipality.trim().toLowerCase()) {
    case 'göteborg':
    case 'oskarshamn':
      return { passwordSms: true, passwordYubikey: false };
    case 'mölndal':
      return { passwordSms: true, passwordYubikey: true };
    default:
      return { passwordSms: false, passwordYubikey: false };
  }
}

export async function activeYubikeys(db: Queryable, staffId: string): Promise<YubikeyRow[]> {
  const { rows } = await db.query<YubikeyRow>(
    `SELECT public_id, staff_id, verification, aes_key, private_id, last_counter, last_session, created_at
       FROM yubikeys WHERE staff_id = $1 AND revoked_at IS NULL ORDER BY created_at`,
    [staffId],
  );
  return rows;
}

/** Moves a key's counters forward, only forward: two logins racing with one OTP — one wins. */
export async function advanceCounters(db: Queryable, publicId: string, counter: number, session: number): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE yubikeys SET last_counter = $2, last_session = $3
      WHERE public_id = $1 AND revoked_at IS NULL AND (last_counter < $2 OR (last_counter = $2 AND last_session < $3)) RETURNING 1`,
    [publicId, counter, session],
  );
  return rows.length === 1;
}
