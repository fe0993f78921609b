import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { AppFailure, because, adminRoutes, logReviewRoutes, swedishDate, type adminApi } from '#contract';
import { withId, type RouteSpec, type ServerClient } from '../server-client';
import { logSearchPdf, reviewPdf } from './log-pdf';

type AdminApi = typeof adminApi;
type In<M extends keyof AdminApi> = z.output<AdminApi[M]['input']>;

export interface AdminDeps {
  server: ServerClient;
  token: () => string;
  /** The authentication certificate (DER) of the card in `reader`, read without a PIN. */
  readCertificate: (reader: string) => Promise<Uint8Array>;
  /** Where exports are written (the journal's PDFs go there too). */
  exportsDir: string;
  /** The signed-in administrator's name, printed on a PDF. */
  printedBy: () => string;
}

/**
 * The `admin.*` handlers (registered in main/app.ts): each calls the server route of the same
 * name with the session's token. Nothing is kept on the workstation except what the
 * administrator exports (CSV, PDF), written to the exports folder like the journal's PDFs.
 */
export function adminHandlers(deps: AdminDeps) {
  const call = <S extends z.ZodType>(route: RouteSpec<S>, body?: unknown): Promise<z.infer<S>> =>
    deps.server.call(route, { token: deps.token(), ...(body === undefined ? {} : { body }) });
  /** A file of the exports folder, named by the day and a counter, never by the criteria (they may name a person). */
  const save = async (base: string, ext: 'csv' | 'pdf', data: string | Buffer) => {
    await mkdir(deps.exportsDir, { recursive: true });
    const file = path.join(deps.exportsDir, `${base}-${Date.now()}.${ext}`);
    await writeFile(file, data, { mode: 0o600 });
    return { path: file, fileName: path.basename(file) };
  };
  return {
    roles: () => call(adminRoutes.myRoles),
    people: () => call(adminRoutes.people),
    addPerson: (input: In<'addPerson'>) => call(adminRoutes.addPerson, input),
    addPersonFromCard: async ({ reader, title, requestId }: In<'addPersonFromCard'>) => {
      let der: Uint8Array;
      try {
        der = await deps.readCertificate(reader);
      } catch (e) {
        if (e instanceof AppFailure) throw e;
        throw new AppFailure('CARD_ERROR', 'the card\'s certificate could not be read', because('CARD_CERT_UNREADABLE'));
      }
      return call(adminRoutes.addPerson, { certificate: Buffer.from(der).toString('base64'), title, ...(requestId ? { requestId } : {}) });
    },
    grant: (input: In<'grant'>) => call(adminRoutes.grant, input),
    confirm: ({ id }: In<'confirm'>) => call(withId(adminRoutes.confirm, id), {}),
    end: ({ id, endsOn }: In<'end'>) => call(withId(adminRoutes.end, id), { endsOn }),
    history: ({ staffId }: In<'history'>) => call(staffId ? { ...adminRoutes.history, path: `${adminRoutes.history.path}?staffId=${encodeURIComponent(staffId)}` } : adminRoutes.history),
    logSearch: (input: In<'logSearch'>) => call(logReviewRoutes.search, input),
    logCsv: async (input: In<'logSearch'>) => {
      const { fileName, csv } = await call(logReviewRoutes.csv, input);
      return { ...(await save(fileName.replace(/\.csv$/, ''), 'csv', csv)), rows: Math.max(0, csv.trim().split('\r\n').length - 1) };
    },
    /** The server hands out the rows as an export (logged there); the PDF is drawn here. */
    logPdf: async (input: In<'logSearch'>) => {
      const { rows, criteria } = await call(logReviewRoutes.exportRows, input);
      const printedAt = new Date();
      const pdf = await logSearchPdf(rows, criteria, { printedBy: deps.printedBy(), printedAt });
      return { ...(await save(`logguppfoljning-${swedishDate(printedAt)}`, 'pdf', pdf)), rows: rows.length };
    },
    reviewPdf: async ({ id }: In<'reviewPdf'>) => {
      const review = await call(withId(logReviewRoutes.exportReview, id), {});
      const printedAt = new Date();
      const pdf = await reviewPdf(review, { printedBy: deps.printedBy(), printedAt });
      return { ...(await save(`granskning-${swedishDate(new Date(review.at))}`, 'pdf', pdf)), rows: review.findings.length };
    },
    logSample: (input: In<'logSample'>) => call(logReviewRoutes.sample, input),
    createReview: (input: In<'createReview'>) => call(logReviewRoutes.createReview, input),
    reviews: () => call(logReviewRoutes.reviews),
    review: ({ id }: In<'review'>) => call(withId(logReviewRoutes.review, id)),
    verify: () => call(logReviewRoutes.verify, {}),
  };
}
