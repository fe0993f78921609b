import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AppFailure, because, deviationRoutes, type Author, type deviationsApi, type LocalDeviation } from '#contract';
import type { AccessReporter } from '../access/access-reporter';
import { swedishFileStamp, type ExportSink } from '../exports/export-sink';
import { withId, type RouteSpec, type ServerClient } from '../server-client';
import type { LocalStore } from '../store/types';
import { ivoPdf } from './pdf';

type Api = typeof deviationsApi;

/** A follow-up route with its period (and unit) as the query. */
const withPeriod = <S extends z.ZodType>(route: RouteSpec<S>, q: { from: string; to: string; unitId?: string | undefined }): RouteSpec<S> => ({
  ...route,
  path: `${route.path}?${new URLSearchParams({ from: q.from, to: q.to, ...(q.unitId ? { unitId: q.unitId } : {}) })}`,
});
type In<M extends keyof Api> = z.output<Api[M]['input']>;

export interface DeviationsDeps {
  store: () => Promise<LocalStore>;
  author: () => Author;
  access: Pick<AccessReporter, 'record'>;
  /** After a local write: push soon, tell the renderer. */
  written: (kinds: string[]) => void;
  server: ServerClient;
  token: () => string;
  exports: () => ExportSink;
  now?: () => Date;
}

/**
 * Deviations on the workstation (docs/deviations.md): a report is queued in the encrypted store
 * (offline like every write) and the user follows her own reports' status from it; the manager's
 * handling, statistics and the IVO underlag come from the server (online), which decides who may.
 */
export class DeviationsService {
  constructor(private readonly deps: DeviationsDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private call<S extends z.ZodType>(route: RouteSpec<S>, body?: unknown): Promise<z.infer<S>> {
    return this.deps.server.call(route, { token: this.deps.token(), ...(body === undefined ? {} : { body }) });
  }

  async report(input: In<'report'>): Promise<LocalDeviation> {
    // The client-made id is the report's own: the router answers the same id at once with the first
    // call's answer (CreateOnce), and a retry later finds the report queued or sent.
    const { requestId: id = randomUUID(), ...report } = input;
    const store = await this.deps.store();
    // The same id again (a double click, a retry): the report as queued, nothing more.
    const already = await store.read('deviation', 'get', id);
    if (already) return already;
    await store.enqueue({ mutationId: randomUUID(), createdAt: this.now().toISOString(), type: 'deviation.report', record: { id, ...report } }, this.deps.author());
    this.deps.written(['deviation']);
    const saved = await store.read('deviation', 'get', id);
    if (!saved) throw new AppFailure('NOT_FOUND', 'deviation not in the user\'s units', because('DEVIATION_NOT_IN_UNITS'));
    return saved;
  }

  async mine(limit: number): Promise<LocalDeviation[]> {
    return (await this.deps.store()).read('deviation', 'mine', limit);
  }

  list(q: In<'list'>) {
    const params = new URLSearchParams({ state: q.state, limit: String(q.limit), ...(q.unitId ? { unitId: q.unitId } : {}) });
    return this.call({ ...deviationRoutes.list, path: `${deviationRoutes.list.path}?${params}` }).then((r) => r.items);
  }

  get(id: string) {
    return this.call(withId(deviationRoutes.get, id));
  }

  step(input: In<'step'>) {
    return this.call(withId(deviationRoutes.step, input.deviationId), input.step);
  }

  stats(q: In<'stats'>) {
    return this.call(withPeriod(deviationRoutes.stats, q));
  }

  patterns(q: In<'patterns'>) {
    return this.call(withPeriod(deviationRoutes.patterns, q));
  }

  /** The IVO underlag as a PDF: read from the server (its access-log read), an export in the access log before it leaves. */
  async ivoPdf(id: string) {
    const found = await this.get(id);
    const author = this.deps.author();
    const printedAt = this.now();
    const pdf = await ivoPdf(found, { printedBy: `${author.name}, ${author.title}`, printedAt });
    if (found.record.clientId) await this.deps.access.record({ action: 'export', clientId: found.record.clientId, recordType: 'deviation', recordId: id });
    // No name or personnummer in the file name.
    const fileName = `lex-sarah-ivo-${swedishFileStamp(printedAt)}.pdf`;
    const delivery = await this.deps.exports().deliver({ fileName, pdf }, 'save');
    return { fileName, bytes: pdf.length, delivery };
  }
}

/** The `deviations` API namespace over the service. */
export function deviationsHandlers(deps: DeviationsDeps) {
  const svc = new DeviationsService(deps);
  return {
    report: (input: In<'report'>) => svc.report(input),
    mine: ({ limit }: In<'mine'>) => svc.mine(limit),
    list: (q: In<'list'>) => svc.list(q),
    get: ({ id }: In<'get'>) => svc.get(id),
    step: (input: In<'step'>) => svc.step(input),
    stats: (q: In<'stats'>) => svc.stats(q),
    patterns: (q: In<'patterns'>) => svc.patterns(q),
    ivoPdf: ({ id }: In<'ivoPdf'>) => svc.ivoPdf(id),
  };
}
