import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { adminRoutes, AppFailure, HistoryQuery, type AddPersonRequest } from '#contract';
import { validateCertificate } from '../auth/certificate';
import type { TrustConfig } from '../auth/service';
import type { Db, Queryable } from '../db/types';
import { createOnce } from '../http/create-once';
import { getRoute, postRoute } from '../http/route';
import { addPerson, confirm, end, findGrant, grant, grantsOf, history, peopleOf, personById, readGrant, type Actor, type GrantRow, type NewPerson } from './grants';
import { activeRoles, administers, requireRole, rolesOf } from './roles';

export interface AdminRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  /** The SITHS trust of the login: a person added from her card's certificate is validated against it. */
  trust?: TrustConfig;
}

const IdParams = z.object({ id: z.string().uuid() });
const NOT_ADMIN = 'Endast IT-kontaktpersonen (administratör) har åtkomst till administrationen.';

/**
 * The administration API (docs/administration.md): `/api/v1/me/roles` for any session, the rest
 * for an administrator (it_contact in force) of the caller's own organisation only. An
 * administrator of one unit manages that unit's grants; only an organisation-wide administrator
 * grants or ends organisation-wide roles.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  if (!app.hasRequestDecorator('heldRoles')) app.decorateRequest('heldRoles', null);
  const requireAdmin = requireRole(deps.requireSession, deps.db, deps.now, ['it_contact'], NOT_ADMIN);

  /** The administrator and her organisation (every held role is of it: role_grants joins staff on it). */
  const actorOf = async (request: FastifyRequest): Promise<Actor> => {
    const me = await personById(deps.db, request.authSession!.staffId);
    if (!me?.organisation_id) throw new AppFailure('FORBIDDEN', NOT_ADMIN);
    return { id: me.id, name: `${me.given_name} ${me.family_name}`, organisationId: me.organisation_id };
  };
  const mustAdminister = (request: FastifyRequest, actor: Actor, unitId: string | null) => {
    if (!administers(rolesOf(request), actor.organisationId, unitId)) {
      throw new AppFailure('FORBIDDEN', unitId === null ? 'Endast en administratör för hela organisationen kan ge eller avsluta den behörigheten.' : 'Du är inte administratör för den enheten.');
    }
  };

  getRoute(app, adminRoutes.myRoles, { preHandler: deps.requireSession }, async ({ request }) => ({
    roles: (await activeRoles(deps.db, request.authSession!.staffId, deps.now())).map(({ role, unitId }) => ({ role, unitId })),
  }));

  getRoute(app, adminRoutes.people, { preHandler: requireAdmin }, async ({ request }) => {
    const actor = await actorOf(request);
    const now = deps.now();
    const [{ rows: org }, { rows: units }, people, grants] = await Promise.all([
      deps.db.query<{ id: string; name: string }>('SELECT id, name FROM organisations WHERE id = $1', [actor.organisationId]),
      deps.db.query<{ id: string; name: string }>('SELECT id, name FROM units WHERE organisation_id = $1 ORDER BY name', [actor.organisationId]),
      peopleOf(deps.db, actor.organisationId),
      grantsOf(deps.db, actor.organisationId, now),
    ]);
    return {
      organisation: org[0]!,
      units,
      people: people.map((p) => ({
        id: p.id,
        hsaId: p.hsa_id,
        givenName: p.given_name,
        familyName: p.family_name,
        title: p.title,
        grants: grants.filter((g) => g.staffId === p.id),
      })),
    };
  });

  postRoute(app, adminRoutes.addPerson, { preHandler: requireAdmin }, async ({ body, request }) => {
    const actor = await actorOf(request);
    const now = deps.now();
    const person = await personFromRequest(body, deps.trust, now);
    const { recordId } = await createOnce(deps.db, { key: body.requestId, staffId: actor.id, route: 'admin.addPerson' }, (db) =>
      db.transaction(async (tx) => (await addPerson(tx, actor, actor.organisationId, person, now)).id),
    );
    const row = (await personById(deps.db, recordId))!;
    return { id: row.id, hsaId: row.hsa_id, givenName: row.given_name, familyName: row.family_name, title: row.title, grants: [] };
  });

  postRoute(app, adminRoutes.grant, { preHandler: requireAdmin }, async ({ body, request }) => {
    const actor = await actorOf(request);
    mustAdminister(request, actor, body.unitId);
    const now = deps.now();
    const { recordId } = await createOnce(deps.db, { key: body.requestId, staffId: actor.id, route: 'admin.grant' }, (db) =>
      db.transaction(async (tx) => (await grant(tx, actor, actor.organisationId, body, now)).id),
    );
    return readGrant(deps.db, actor.organisationId, recordId, now);
  });

  /** Confirm and end: the grant looked up in the caller's organisation, on a unit she administers. */
  for (const [route, act] of [
    [adminRoutes.confirm, (tx: Queryable, actor: Actor, row: GrantRow, now: Date) => confirm(tx, actor, row, now)],
    [adminRoutes.end, (tx: Queryable, actor: Actor, row: GrantRow, now: Date, body: { endsOn?: string | undefined }) => end(tx, actor, row, now, body.endsOn)],
  ] as const) {
    postRoute(app, route, { preHandler: requireAdmin }, async ({ request, body }) => {
      const actor = await actorOf(request);
      const { id } = IdParams.parse(request.params);
      return deps.db.transaction(async (tx) => {
        const row = await findGrant(tx, actor.organisationId, id);
        mustAdminister(request, actor, row.unit_id);
        return act(tx, actor, row, deps.now(), body);
      });
    });
  }

  getRoute(app, adminRoutes.history, { preHandler: requireAdmin, query: HistoryQuery }, async ({ query, request }) => {
    const actor = await actorOf(request);
    return { events: await history(deps.db, actor.organisationId, query.staffId) };
  });
}

/** Typed, or from the card's certificate validated against the SITHS trust (name and HSA-ID from its subject). */
async function personFromRequest(body: AddPersonRequest, trust: TrustConfig | undefined, now: Date): Promise<NewPerson> {
  if ('hsaId' in body) return body;
  if (!trust) throw new AppFailure('VALIDATION', 'Servern har inga betrodda utfärdare: lägg till personen med HSA-id.');
  try {
    const cert = await validateCertificate(Buffer.from(body.certificate, 'base64'), { ...trust, now });
    const { givenName, familyName } = cert;
    if (!givenName || !familyName) {
      // Which name the subject lacks (givenName 2.5.4.42, surname 2.5.4.4), so the administrator knows what to type.
      const certificateLacks = [...(givenName ? [] : ['givenName']), ...(familyName ? [] : ['familyName'])];
      const names = certificateLacks.map((f) => (f === 'givenName' ? 'förnamn' : 'efternamn')).join(' och ');
      throw new AppFailure('VALIDATION', `Kortets certifikat saknar ${names}: lägg till personen med HSA-id och namn.`, { certificateLacks });
    }
    return { hsaId: cert.hsaId, givenName, familyName, title: body.title };
  } catch (e) {
    if (e instanceof AppFailure && e.code !== 'VALIDATION') {
      throw new AppFailure('VALIDATION', `Kortets certifikat godtas inte (${e.code}).`, { certificateRefused: e.code, ...(e.details ?? {}) });
    }
    throw e;
  }
}
