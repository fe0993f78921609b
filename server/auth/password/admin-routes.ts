import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, credentialRoutes, type PersonCredentials } from '#contract';
import { personById } from '../../admin/grants';
import { administers, requireRole, rolesOf } from '../../admin/roles';
import { SqlAccessLog } from '../../audit/access-log';
import type { Db, Queryable } from '../../db/types';
import { createOnce } from '../../http/create-once';
import { getRoute, postRoute } from '../../http/route';
import { hashPassword, passwordProblem } from './password-hash';
import { organisationMethods, setOrganisationMethods } from './store';

const NOT_ADMIN = 'Endast en administratör (IT-kontaktperson) för hela organisationen hanterar lösenord och YubiKeys.';
const PublicIdParams = z.object({ id: z.string().regex(/^[cbdefghijklnrtuv]{12}$/) });

interface Actor {
  id: string;
  hsaId: string;
  organisationId: string;
}

/**
 * The administrator's side of password logins (docs/login.md, docs/administration.md): which
 * card-less methods the organisation allows, each person's username, password and SMS number
 * (set or reset; a reset also opens a locked account), unlocking, and YubiKeys (enrolled once per
 * request id; revoked, never deleted). Only an organisation-wide administrator, only for people of
 * her own organisation; every change is a `change` row in the access log (never the password, the
 * number or a key's secret).
 */
export function registerCredentialRoutes(app: FastifyInstance, deps: { db: Db; requireSession: preHandlerAsyncHookHandler; now: () => Date }): void {
  if (!app.hasRequestDecorator('heldRoles')) app.decorateRequest('heldRoles', null);
  const requireAdmin = requireRole(deps.requireSession, deps.db, deps.now, ['it_contact'], NOT_ADMIN);

  const actorOf = async (request: FastifyRequest): Promise<Actor> => {
    const me = await personById(deps.db, request.authSession!.staffId);
    if (!me?.organisation_id || !administers(rolesOf(request), me.organisation_id, null)) throw new AppFailure('FORBIDDEN', NOT_ADMIN);
    return { id: me.id, hsaId: me.hsa_id, organisationId: me.organisation_id };
  };
  /** A person of the administrator's organisation; anyone else is answered like nobody. */
  const personOf = async (db: Queryable, actor: Actor, staffId: string) => {
    const p = await personById(db, staffId);
    if (!p || p.organisation_id !== actor.organisationId) throw new AppFailure('NOT_FOUND', 'Personen finns inte i din organisation.');
    return p;
  };
  const logChange = (db: Queryable, actor: Actor, recordType: string, recordId: string, at: Date) =>
    new SqlAccessLog(db).record({ action: 'change', outcome: 'success', actorStaffId: actor.id, actorHsaId: actor.hsaId, recordType, recordId, at });

  getRoute(app, credentialRoutes.list, { preHandler: requireAdmin }, async ({ request }) => {
    const actor = await actorOf(request);
    const { rows } = await deps.db.query<{ id: string }>('SELECT id FROM staff WHERE organisation_id = $1 ORDER BY family_name, given_name', [actor.organisationId]);
    return { methods: await organisationMethods(deps.db, actor.organisationId), people: await Promise.all(rows.map((r) => credentialsOf(deps.db, r.id))) };
  });

  postRoute(app, credentialRoutes.setMethods, { preHandler: requireAdmin }, async ({ body, request }) => {
    const actor = await actorOf(request);
    const at = deps.now();
    await deps.db.transaction(async (tx) => {
      await setOrganisationMethods(tx, actor.organisationId, body, actor.id, at);
      await logChange(tx, actor, 'organisation_login_methods', actor.organisationId, at);
    });
    return organisationMethods(deps.db, actor.organisationId);
  });

  postRoute(app, credentialRoutes.setPassword, { preHandler: requireAdmin }, async ({ body, request }) => {
    const actor = await actorOf(request);
    const problem = passwordProblem(body.password);
    if (problem) throw new AppFailure('VALIDATION', problem);
    const at = deps.now();
    const hash = await hashPassword(body.password);
    await deps.db.transaction(async (tx) => {
      await personOf(tx, actor, body.staffId);
      const { rows: taken } = await tx.query('SELECT 1 FROM staff_credentials WHERE username = $1 AND staff_id <> $2', [body.username, body.staffId]);
      if (taken.length) throw new AppFailure('CONFLICT', 'Användarnamnet används redan av någon annan. Välj ett annat.');
      await tx.query(
        `INSERT INTO staff_credentials (staff_id, username, password_hash, phone, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $5, $6)
         ON CONFLICT (staff_id) DO UPDATE SET username = $2, password_hash = $3, phone = $4, failed_attempts = 0, locked_at = NULL, updated_at = $5, updated_by = $6`,
        [body.staffId, body.username, hash, body.phone, at, actor.id],
      );
      // A reset password ends the logins half-way with the old one.
      await tx.query('UPDATE password_logins SET used_at = $2 WHERE staff_id = $1 AND used_at IS NULL', [body.staffId, at]);
      await logChange(tx, actor, 'staff_credentials', body.staffId, at);
    });
    return credentialsOf(deps.db, body.staffId);
  });

  postRoute(app, credentialRoutes.unlock, { preHandler: requireAdmin }, async ({ body, request }) => {
    const actor = await actorOf(request);
    const at = deps.now();
    await deps.db.transaction(async (tx) => {
      await personOf(tx, actor, body.staffId);
      const { rows } = await tx.query('UPDATE staff_credentials SET failed_attempts = 0, locked_at = NULL, updated_at = $2, updated_by = $3 WHERE staff_id = $1 RETURNING 1', [body.staffId, at, actor.id]);
      if (rows.length === 0) throw new AppFailure('NOT_FOUND', 'Personen har inget lösenord att låsa upp.');
      await logChange(tx, actor, 'staff_credentials', body.staffId, at);
    });
    return credentialsOf(deps.db, body.staffId);
  });

  postRoute(app, credentialRoutes.enrolYubikey, { preHandler: requireAdmin }, async ({ body, request }) => {
    const actor = await actorOf(request);
    const at = deps.now();
    const { recordId } = await createOnce(deps.db, { key: body.requestId, staffId: actor.id, route: 'credentials.enrolYubikey' }, (db) =>
      db.transaction(async (tx) => {
        await personOf(tx, actor, body.staffId);
        const { rows } = await tx.query(
          `INSERT INTO yubikeys (public_id, staff_id, verification, aes_key, private_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (public_id) DO NOTHING RETURNING public_id`,
          [body.publicId, body.staffId, body.verification, body.verification === 'local' ? body.aesKey : null, body.verification === 'local' ? body.privateId : null, at, actor.id],
        );
        if (rows.length === 0) throw new AppFailure('CONFLICT', 'Den YubiKeyn är redan registrerad (eller har varit det). En återkallad nyckel registreras inte igen: programmera om den med ett nytt publikt id.');
        await logChange(tx, actor, 'yubikey', body.publicId, at);
        return body.staffId;
      }),
    );
    return credentialsOf(deps.db, recordId);
  });

  postRoute(app, credentialRoutes.revokeYubikey, { preHandler: requireAdmin }, async ({ request }) => {
    const actor = await actorOf(request);
    const { id } = PublicIdParams.parse(request.params);
    const at = deps.now();
    const staffId = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ staff_id: string; revoked_at: Date | null }>('SELECT staff_id, revoked_at FROM yubikeys WHERE public_id = $1 FOR UPDATE', [id]);
      const key = rows[0];
      if (!key) throw new AppFailure('NOT_FOUND', 'YubiKeyn finns inte.');
      await personOf(tx, actor, key.staff_id);
      // Revoking twice is the same act: the first time is kept.
      if (!key.revoked_at) {
        await tx.query('UPDATE yubikeys SET revoked_at = $2, revoked_by = $3 WHERE public_id = $1', [id, at, actor.id]);
        await logChange(tx, actor, 'yubikey', id, at);
      }
      return key.staff_id;
    });
    return credentialsOf(deps.db, staffId);
  });
}

export async function credentialsOf(db: Queryable, staffId: string): Promise<PersonCredentials> {
  const [{ rows: creds }, { rows: keys }] = await Promise.all([
    db.query<{ username: string; phone: string | null; locked_at: Date | null }>('SELECT username, phone, locked_at FROM staff_credentials WHERE staff_id = $1', [staffId]),
    db.query<{ public_id: string; verification: 'local' | 'yubico'; created_at: Date | string }>(
      'SELECT public_id, verification, created_at FROM yubikeys WHERE staff_id = $1 AND revoked_at IS NULL ORDER BY created_at',
      [staffId],
    ),
  ]);
  const c = creds[0];
  return {
    staffId,
    username: c?.username ?? null,
    phoneHint: c?.phone ? `…${c.phone.slice(-2)}` : null,
    locked: Boolean(c?.locked_at),
    yubikeys: keys.map((k) => ({ publicId: k.public_id, verification: k.verification, createdAt: new Date(k.created_at).toISOString() })),
  };
}
