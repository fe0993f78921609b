import { z } from 'zod';
import { CreateId, HSA_ID_PATTERN, Uuid } from './domain';
import { personnummerProblem } from './personnummer';
import { IsoDate, OptionalText, WrittenText } from './values';

/**
 * Access-log follow-up (logguppföljning, docs/administration.md): the administrator searches the
 * access log, draws random samples of reads, and documents each follow-up as a review record.
 * Every search and review is itself written to the access log. Search criteria travel in request
 * bodies, never in URLs (a personnummer must not end up in a proxy's log).
 */

/** Every action the access log records (server/migrations/0002). */
export const LoggedAction = z.enum(['login', 'login_failed', 'session_renewed', 'logout', 'read', 'copy', 'export', 'change']);
export type LoggedAction = z.infer<typeof LoggedAction>;

export const LOGGED_ACTION_LABELS_SV: Record<LoggedAction, string> = {
  login: 'Inloggning',
  login_failed: 'Misslyckad inloggning',
  session_renewed: 'Session förnyad',
  logout: 'Utloggning',
  read: 'Läsning',
  copy: 'Kopiering/utskrift',
  export: 'Export',
  change: 'Ändring',
};

/** A personnummer as typed: 12 digits, with or without the hyphen, a real date and the right check digit; else what is wrong. */
const Personnummer = z
  .string()
  .trim()
  .superRefine((p, ctx) => {
    const problem = personnummerProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((p) => p.replace(/\D/g, ''));

export const LogSearch = z
  .strictObject({
    /** The user who acted (HSA-ID). */
    actorHsaId: z
      .string()
      .trim()
      .regex(HSA_ID_PATTERN, 'Ange användarens HSA-id, till exempel SE2321000131-P000000000101. Sökning på namn finns inte här.')
      .optional(),
    /** The client whose data was touched. */
    personnummer: Personnummer.optional(),
    unitId: Uuid.optional(),
    /** Inclusive days, Swedish calendar. */
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    actions: z.array(LoggedAction).max(8).optional(),
    limit: z.number().int().min(1).max(500).default(100),
    /** Keyset paging: the `next` of the previous page (opaque). */
    after: z.string().regex(/^\d{1,13}:\d{1,18}$/).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'Från-datum får inte ligga efter till-datum.', path: ['to'] });
export type LogSearch = z.input<typeof LogSearch>;

export const LogRow = z.object({
  /** The access-log row id: a finding refers to it. */
  id: z.string(),
  at: z.iso.datetime({ offset: true }),
  action: LoggedAction,
  outcome: z.enum(['success', 'failure']),
  errorCode: z.string().nullable(),
  actorHsaId: z.string().nullable(),
  actorName: z.string().nullable(),
  client: z.object({ id: Uuid, personnummer: z.string(), name: z.string() }).nullable(),
  unitName: z.string().nullable(),
  recordType: z.string().nullable(),
  workstation: z.string().nullable(),
});
export type LogRow = z.infer<typeof LogRow>;

export const LogSearchResponse = z.object({ rows: z.array(LogRow), next: z.string().nullable() });
export type LogSearchResponse = z.infer<typeof LogSearchResponse>;

export const LogSampleRequest = z.strictObject({ size: z.number().int().min(1).max(100) });
export const LOG_SAMPLE_DAYS = 30;

export const FindingVerdict = z.enum(['justified', 'investigate']);
export const FINDING_VERDICT_LABELS_SV: Record<z.infer<typeof FindingVerdict>, string> = { justified: 'Befogad', investigate: 'Ska utredas' };

export const Finding = z.strictObject({ logId: z.string().regex(/^\d{1,18}$/), verdict: FindingVerdict, comment: OptionalText(2_000) });
export type Finding = z.infer<typeof Finding>;

export const NewReview = z
  .strictObject({
    ...CreateId,
    kind: z.enum(['search', 'sample']),
    /** The criteria of the search, or the sample's size: what was followed up. */
    search: LogSearch.optional(),
    sampleSize: z.number().int().min(1).max(100).optional(),
    findings: z.array(Finding).min(1).max(500),
    summary: WrittenText(4_000),
  })
  .refine((r) => (r.kind === 'search' ? r.search !== undefined : r.sampleSize !== undefined), { message: 'Ange sökningen eller stickprovets storlek.', path: ['kind'] })
  .refine((r) => r.findings.every((f) => f.verdict === 'justified' || f.comment.trim() !== ''), { message: 'En rad som ska utredas behöver en kommentar.', path: ['findings'] });
export type NewReview = z.input<typeof NewReview>;

export const Review = z.object({
  id: Uuid,
  at: z.iso.datetime({ offset: true }),
  reviewer: z.string(),
  kind: z.enum(['search', 'sample']),
  /** A readable account of the query or sample. */
  criteria: z.string(),
  summary: z.string(),
  findings: z.array(Finding.extend({ row: LogRow.nullable() })),
});
export type Review = z.infer<typeof Review>;

export const ReviewList = z.object({
  reviews: z.array(Review.omit({ findings: true }).extend({ findings: z.number().int(), toInvestigate: z.number().int() })),
});

export const LogCsv = z.object({ fileName: z.string(), csv: z.string() });

/** A file the workstation wrote to its exports folder (CSV or PDF). */
export const ExportedFile = z.object({ path: z.string(), fileName: z.string(), rows: z.number().int() });

export const LogIntegrity = z.object({
  ok: z.boolean(),
  accessLog: z.object({ ok: z.boolean(), rows: z.number().int(), brokenAt: z.string().optional(), reason: z.string().optional() }),
  journal: z.object({ ok: z.boolean(), entries: z.number().int(), clients: z.number().int() }),
  /** null: no anchor configured on the server (ANCHOR_FILE, ANCHOR_PUBLIC_KEY). */
  anchor: z.object({ ok: z.boolean(), checked: z.number().int(), missing: z.array(z.string()), changed: z.array(z.string()), checkpointAt: z.string().nullable() }).nullable(),
  /** Swedish, for the screen: where it breaks, or that everything holds. */
  message: z.string(),
});
export type LogIntegrity = z.infer<typeof LogIntegrity>;

export const logReviewRoutes = {
  search: { method: 'POST', path: '/api/v1/admin/access-log/search', body: LogSearch, response: LogSearchResponse },
  csv: { method: 'POST', path: '/api/v1/admin/access-log/csv', body: LogSearch, response: LogCsv },
  /** The rows of a search (up to 500) for the workstation to print as a PDF: an `export` in the access log. */
  exportRows: { method: 'POST', path: '/api/v1/admin/access-log/export', body: LogSearch, response: LogSearchResponse.extend({ criteria: z.string() }) },
  sample: { method: 'POST', path: '/api/v1/admin/access-log/sample', body: LogSampleRequest, response: LogSearchResponse },
  createReview: { method: 'POST', path: '/api/v1/admin/access-log/reviews', body: NewReview, response: Review },
  reviews: { method: 'GET', path: '/api/v1/admin/access-log/reviews', response: ReviewList },
  review: { method: 'GET', path: '/api/v1/admin/access-log/reviews/:id', response: Review },
  /** A review for the workstation to print as a PDF: an `export` of the review in the access log. */
  exportReview: { method: 'POST', path: '/api/v1/admin/access-log/reviews/:id/export', body: z.strictObject({}), response: Review },
  verify: { method: 'POST', path: '/api/v1/admin/access-log/verify', body: z.strictObject({}), response: LogIntegrity },
} as const;
