import { createHash, randomBytes } from 'node:crypto';
import type { AuthMethod, Loa } from '#contract';
import type { SqlClient } from './sql';

/**
 * Sessions after a login (card, identity provider, password + one-time code; issue 29). The bearer token is 256 random bits, handed out once; only
 * its SHA-256 is stored, so a copy of the table lets nobody in.
 */
export interface Session {
  tokenHash: string;
  staffId: string;
  hsaId: string;
  /** The login certificate's SHA-256 (hex); a card session always has one, others none. */
  certSha256?: string;
  createdAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  /** The login that opened it; a case officer's ('officer') holds no unit permission. Default 'workstation'. */
  audience?: 'workstation' | 'officer';
  /** The login certificate (DER), kept when OCSP is on so the renewal can ask about it again. */
  certificate?: Uint8Array;
  /** When its revocation was last verified good (login or renewal). */
  revocationCheckedAt?: Date;
  /** How it was opened; default 'card'. */
  method?: AuthMethod;
  /** Its assurance level; default 3 (the card's). */
  loa?: Loa;
  /** An identity provider's session it rests on (`<issuer> <sid>`), ended with it. */
  idpSession?: string;
  /** Not renewed beyond this (the ID token's expiry): then a new login through the IdP. */
  idpExpiresAt?: Date;
}

export interface SessionStore {
  create(session: Session): Promise<void>;
  /** A live session: not revoked and expiresAt > now. */
  find(tokenHash: string, now: Date): Promise<Session | null>;
  /** Moves expiresAt of a live session; false when it is not live (any more). */
  extend(tokenHash: string, expiresAt: Date, now: Date): Promise<boolean>;
  revoke(tokenHash: string, now: Date): Promise<boolean>;
  /** Records a verified good revocation answer for the session's certificate. */
  revocationChecked?(tokenHash: string, at: Date): Promise<void>;
  /** Revokes every live session resting on this IdP session (its logout); the sessions it ended. */
  revokeIdpSession?(idpSession: string, now: Date): Promise<EndedSession[]>;
}

/** A session ended by its IdP session's logout: enough for the access log's row. */
export interface EndedSession {
  tokenHash: string;
  staffId: string;
  hsaId: string;
  method: AuthMethod;
  loa: Loa;
}

export const newSessionToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session & { revoked: boolean }>();

  async create(session: Session) {
    this.sessions.set(session.tokenHash, { method: 'card', loa: 3, ...session, revoked: false });
  }
  async find(tokenHash: string, now: Date) {
    const s = this.sessions.get(tokenHash);
    if (!s || s.revoked || s.expiresAt.getTime() <= now.getTime()) return null;
    const { revoked: _revoked, ...session } = s;
    return session;
  }
  async extend(tokenHash: string, expiresAt: Date, now: Date) {
    const s = this.sessions.get(tokenHash);
    if (!s || s.revoked || s.expiresAt.getTime() <= now.getTime()) return false;
    s.expiresAt = expiresAt;
    return true;
  }
  async revoke(tokenHash: string, _now: Date) {
    const s = this.sessions.get(tokenHash);
    if (!s || s.revoked) return false;
    s.revoked = true;
    return true;
  }
  async revokeIdpSession(idpSession: string, _now: Date) {
    const ended: EndedSession[] = [];
    for (const s of this.sessions.values()) {
      if (s.idpSession === idpSession && !s.revoked) {
        s.revoked = true;
        ended.push({ tokenHash: s.tokenHash, staffId: s.staffId, hsaId: s.hsaId, method: s.method ?? 'card', loa: s.loa ?? 3 });
      }
    }
    return ended;
  }
}

interface SessionRow {
  token_hash: string;
  staff_id: string;
  hsa_id: string;
  cert_sha256: string | null;
  created_at: Date | string;
  expires_at: Date | string;
  absolute_expires_at: Date | string;
  audience: 'workstation' | 'officer';
  certificate: Uint8Array | null;
  revocation_checked_at: Date | string | null;
  auth_method: AuthMethod;
  loa: number;
  idp_session: string | null;
  idp_expires_at: Date | string | null;
}

const fromRow = (r: SessionRow): Session => ({
  tokenHash: r.token_hash,
  staffId: r.staff_id,
  hsaId: r.hsa_id,
  ...(r.cert_sha256 ? { certSha256: r.cert_sha256 } : {}),
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
  absoluteExpiresAt: new Date(r.absolute_expires_at),
  audience: r.audience,
  ...(r.certificate ? { certificate: new Uint8Array(r.certificate) } : {}),
  ...(r.revocation_checked_at ? { revocationCheckedAt: new Date(r.revocation_checked_at) } : {}),
  method: r.auth_method,
  loa: Number(r.loa),
  ...(r.idp_session ? { idpSession: r.idp_session } : {}),
  ...(r.idp_expires_at ? { idpExpiresAt: new Date(r.idp_expires_at) } : {}),
});

const COLUMNS =
  'token_hash, staff_id, hsa_id, cert_sha256, created_at, expires_at, absolute_expires_at, audience, certificate, revocation_checked_at, auth_method, loa, idp_session, idp_expires_at';

/** Table auth_sessions (server/migrations/0002_auth_and_access_log.sql). */
export class SqlSessionStore implements SessionStore {
  constructor(private readonly db: SqlClient) {}

  async create(s: Session) {
    await this.db.query(
      `INSERT INTO auth_sessions (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::smallint, $13, $14)`,
      [
        s.tokenHash,
        s.staffId,
        s.hsaId,
        s.certSha256 ?? null,
        s.createdAt,
        s.expiresAt,
        s.absoluteExpiresAt,
        s.audience ?? 'workstation',
        s.certificate ? Buffer.from(s.certificate) : null,
        s.revocationCheckedAt ?? null,
        s.method ?? 'card',
        s.loa ?? 3,
        s.idpSession ?? null,
        s.idpExpiresAt ?? null,
      ],
    );
  }
  async find(tokenHash: string, now: Date) {
    const { rows } = await this.db.query<SessionRow>(
      `SELECT ${COLUMNS}
         FROM auth_sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2`,
      [tokenHash, now],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }
  async extend(tokenHash: string, expiresAt: Date, now: Date) {
    const { rows } = await this.db.query(
      `UPDATE auth_sessions SET expires_at = $2
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $3 RETURNING token_hash`,
      [tokenHash, expiresAt, now],
    );
    return rows.length === 1;
  }
  async revocationChecked(tokenHash: string, at: Date) {
    await this.db.query('UPDATE auth_sessions SET revocation_checked_at = $2 WHERE token_hash = $1', [tokenHash, at]);
  }
  async revoke(tokenHash: string, now: Date) {
    const { rows } = await this.db.query(
      'UPDATE auth_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING token_hash',
      [tokenHash, now],
    );
    return rows.length === 1;
  }
  async revokeIdpSession(idpSession: string, now: Date) {
    const { rows } = await this.db.query<{ token_hash: string; staff_id: string; hsa_id: string; auth_method: AuthMethod; loa: number }>(
      'UPDATE auth_sessions SET revoked_at = $2 WHERE idp_session = $1 AND revoked_at IS NULL RETURNING token_hash, staff_id, hsa_id, auth_method, loa',
      [idpSession, now],
    );
    return rows.map((r) => ({ tokenHash: r.token_hash, staffId: r.staff_id, hsaId: r.hsa_id, method: r.auth_method, loa: r.loa as Loa }));
  }
}
