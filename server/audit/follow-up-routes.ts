import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { AppFailure, logReviewRoutes, type LogIntegrity, type LogRow } from '#contract';
import { requireRole, rolesOf } from '../admin/roles';
import { workstationOf } from '../auth/routes';
import type { Db } from '../db/types';
import { createOnce } from '../http/create-once';
import { getRoute, postRoute } from '../http/route';
import { SqlAccessLog } from './access-log';
import { csvFileName, describeCriteria, insertReview, listReviews, logCsv, readReview, rowsById, sampleReads, searchLog, type Reviewer, type Search } from './follow-up';
import { verifyLogs, type LogVerification } from './verify';

export interface FollowUpRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  /** The signed checkpoints (server/audit/anchor.ts) the integrity check compares with; absent: chain only. */
  anchor?: { file: string; publicKeyFile: string };
}

const IdParams = z.object({ id: z.string().uuid() });
const NOT_ADMIN = 'Endast IT-kontaktpersonen (administratör) följer upp åtkomstloggen.';

/**
 * Access-log follow-up for the administrator (docs/administration.md). What she looks at is
 * logged like any other access to personal data: a search or a sample is a `read` of the access
 * log (naming the client when she searched for one), an export an `export`, a review a `change`.
 */
export function registerFollowUpRoutes(app: FastifyInstance, deps: FollowUpRouteDeps): void {
  if (!app.hasRequestDecorator('heldRoles')) app.decorateRequest('heldRoles', null);
  const requireAdmin = requireRole(deps.requireSession, deps.db, deps.now, ['it_contact'], NOT_ADMIN);
  const log = new SqlAccessLog(deps.db);

  const reviewerOf = async (request: FastifyRequest): Promise<Reviewer> => {
    const { rows } = await deps.db.query<{ id: string; name: string; organisation_id: string | null }>(
      `SELECT id, given_name || ' ' || family_name AS name, organisation_id FROM staff WHERE id = $1`,
      [request.authSession!.staffId],
    );
    const me = rows[0];
    if (!me?.organisation_id) throw new AppFailure('FORBIDDEN', NOT_ADMIN);
    // Her reach: the organisation if one of her administrator roles covers it, else those roles' units.
    const held = rolesOf(request).filter((r) => r.role === 'it_contact' && r.organisationId === me.organisation_id);
    if (held.length === 0) throw new AppFailure('FORBIDDEN', NOT_ADMIN);
    const units = held.some((r) => r.unitId === null) ? null : [...new Set(held.map((r) => r.unitId!))];
    return { id: me.id, name: me.name, organisationId: me.organisation_id, units };
  };
  const audit = (request: FastifyRequest, action: 'read' | 'export' | 'change', recordType: string, extra: { clientId?: string; recordId?: string } = {}) => {
    const workstation = workstationOf(request);
    return log.record({
      action,
      outcome: 'success',
      actorStaffId: request.authSession!.staffId,
      actorHsaId: request.authSession!.hsaId,
      recordType,
      ...extra,
      ...(workstation ? { workstation } : {}),
      at: deps.now(),
    });
  };
  /** HSA-ID and personnummer to ids in her reach; null: names nobody there (nothing matches). */
  const resolve = async (reach: Reviewer, q: Search) => {
    const one = async (sql: string, params: unknown[]) => (await deps.db.query<{ id: string }>(sql, params)).rows[0]?.id ?? null;
    return {
      ...(q.actorHsaId ? { actorStaffId: await one('SELECT id FROM staff WHERE hsa_id = $1 AND organisation_id = $2', [q.actorHsaId, reach.organisationId]) } : {}),
      ...(q.personnummer
        ? {
            clientId: await one(
              'SELECT c.id FROM clients c JOIN units u ON u.id = c.unit_id WHERE c.personnummer = $1 AND u.organisation_id = $2 AND ($3::uuid[] IS NULL OR u.id = ANY($3::uuid[]))',
              [q.personnummer, reach.organisationId, reach.units],
            ),
          }
        : {}),
    };
  };
  /** The criteria's people and unit by name (the client never by personnummer), for the criteria in words. */
  const namesOf = async (reach: Reviewer, q: Search, rows: readonly LogRow[]) => {
    const resolved = await resolve(reach, q);
    const names: { actor?: string; client?: string; unit?: string } = {};
    if (resolved.actorStaffId) names.actor = rows.find((r) => r.actorHsaId === q.actorHsaId)?.actorName ?? q.actorHsaId!;
    if (resolved.clientId) names.client = rows.find((r) => r.client?.id === resolved.clientId)?.client?.name ?? 'angiven brukare';
    if (q.unitId) names.unit = (await deps.db.query<{ name: string }>('SELECT name FROM units WHERE id = $1', [q.unitId])).rows[0]?.name ?? 'okänd enhet';
    return names;
  };
  const search = async (request: FastifyRequest, q: Search, action: 'read' | 'export') => {
    const reviewer = await reviewerOf(request);
    const resolved = await resolve(reviewer, q);
    const page = await searchLog(deps.db, reviewer, q, resolved);
    await audit(request, action, 'access_log', resolved.clientId ? { clientId: resolved.clientId } : {});
    return page;
  };

  postRoute(app, logReviewRoutes.search, { preHandler: requireAdmin }, async ({ body, request }) => search(request, body, 'read'));

  postRoute(app, logReviewRoutes.csv, { preHandler: requireAdmin }, async ({ body, request }) => {
    const page = await search(request, { ...body, limit: 500 }, 'export');
    return { fileName: csvFileName(deps.now()), csv: logCsv(page.rows) };
  });

  // The PDF is drawn on the workstation (main/admin/log-pdf.ts); handing out the rows for it is the export.
  postRoute(app, logReviewRoutes.exportRows, { preHandler: requireAdmin }, async ({ body, request }) => {
    const page = await search(request, { ...body, limit: 500 }, 'export');
    const reviewer = await reviewerOf(request);
    return { ...page, criteria: describeCriteria({ kind: 'search', search: body }, await namesOf(reviewer, body, page.rows)) };
  });

  postRoute(app, logReviewRoutes.sample, { preHandler: requireAdmin }, async ({ body, request }) => {
    const reviewer = await reviewerOf(request);
    const rows = await sampleReads(deps.db, reviewer, body.size, deps.now());
    await audit(request, 'read', 'access_log_sample');
    return { rows, next: null };
  });

  postRoute(app, logReviewRoutes.createReview, { preHandler: requireAdmin }, async ({ body, request }) => {
    const reviewer = await reviewerOf(request);
    const known = await rowsById(deps.db, reviewer, body.findings.map((f) => f.logId));
    if (body.findings.some((f) => !known.has(f.logId))) throw new AppFailure('VALIDATION', 'En bedömd rad finns inte i organisationens logg.');
    const names = body.search ? await namesOf(reviewer, body.search, [...known.values()]) : {};
    // The query as kept: the client by id, never by personnummer.
    const { personnummer: _p, ...kept } = body.search ?? {};
    const query = body.kind === 'sample' ? { sampleSize: body.sampleSize } : { ...kept, ...(body.search?.personnummer ? { clientNamed: true } : {}) };
    const at = deps.now();
    const { recordId: id } = await createOnce(deps.db, { key: body.requestId, staffId: reviewer.id, route: 'admin.createReview' }, (db) => db.transaction(async (tx) => {
      const reviewId = await insertReview(tx, reviewer, { kind: body.kind, query, criteria: describeCriteria(body, names), summary: body.summary, findings: body.findings }, at);
      await new SqlAccessLog(tx).record({
        action: 'change',
        outcome: 'success',
        actorStaffId: reviewer.id,
        actorHsaId: request.authSession!.hsaId,
        recordType: 'access_log_review',
        recordId: reviewId,
        at,
      });
      return reviewId;
    }));
    return (await readReview(deps.db, reviewer, id))!;
  });

  getRoute(app, logReviewRoutes.reviews, { preHandler: requireAdmin }, async ({ request }) => ({ reviews: await listReviews(deps.db, await reviewerOf(request)) }));

  getRoute(app, logReviewRoutes.review, { preHandler: requireAdmin }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const review = await readReview(deps.db, await reviewerOf(request), id);
    if (!review) throw new AppFailure('NOT_FOUND', 'Granskningen finns inte.');
    await audit(request, 'read', 'access_log_review', { recordId: id });
    return review;
  });

  postRoute(app, logReviewRoutes.exportReview, { preHandler: requireAdmin }, async ({ request }) => {
    const { id } = IdParams.parse(request.params);
    const review = await readReview(deps.db, await reviewerOf(request), id);
    if (!review) throw new AppFailure('NOT_FOUND', 'Granskningen finns inte.');
    await audit(request, 'export', 'access_log_review', { recordId: id });
    return review;
  });

  postRoute(app, logReviewRoutes.verify, { preHandler: requireAdmin }, async () => {
    const anchor = deps.anchor;
    const result = await verifyLogs(deps.db, anchor ? { anchorFile: anchor.file, anchorPublicKey: await readFile(anchor.publicKeyFile, 'utf8') } : {});
    return integrityAnswer(result);
  });
}

const REASON_SV: Record<string, string> = {
  hash_mismatch: 'raden har ändrats',
  prev_hash_mismatch: 'en rad före den har tagits bort eller lagts till',
  head_missing: 'de nyaste raderna saknas',
};

/** The verification, with a Swedish sentence saying where it breaks. */
export function integrityAnswer(v: LogVerification): LogIntegrity {
  const anchor = v.anchor ? { ok: v.anchor.ok, checked: v.anchor.checked, missing: v.anchor.missing, changed: v.anchor.changed, checkpointAt: v.anchor.checkpointAt } : null;
  let message: string;
  if (!v.accessLog.ok) message = `Åtkomstloggen är bruten vid rad ${v.accessLog.brokenAt}: ${REASON_SV[v.accessLog.reason ?? ''] ?? 'okänt fel'}.`;
  else if (!v.journal.ok) message = 'En journalkedja är bruten: kör npm run verify-log för detaljer och kontakta leverantören.';
  else if (!v.evidence.ok) message = `Beviskedjan (meddelanden, incidenter, behörighetshistorik) är bruten i ${v.evidence.brokenAt?.table ?? 'okänd tabell'}: kör npm run verify-log för detaljer och kontakta leverantören.`;
  else if (anchor && !anchor.ok) message = 'Loggen stämmer inte med den senaste signerade kontrollpunkten: de nyaste raderna har tagits bort eller skrivits om.';
  else message = `Loggen är hel: ${v.accessLog.rows} rader och ${v.journal.entries} journalanteckningar kontrollerade${anchor ? `, i överensstämmelse med kontrollpunkten ${anchor.checkpointAt ?? '(ingen ännu)'}` : ' (ingen extern kontrollpunkt konfigurerad)'}.`;
  return {
    ok: v.ok,
    accessLog: v.accessLog,
    journal: { ok: v.journal.ok, entries: v.journal.entries, clients: v.journal.clients },
    anchor,
    message,
  };
}
