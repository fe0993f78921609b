import type { DeviationStepInput } from '#contract';
import { api } from '../../bridge';

/**
 * What the deviation screens do, as plain functions over the API client (docs/deviations.md): the
 * components call these and never the bridge. Each answers the API's Result as it came.
 */

/** Reports a deviation (queued in the encrypted store; the form keeps one requestId per report being written). */
export const reportDeviation = (report: Parameters<typeof api.deviations.report>[0]) => api.deviations.report(report);

/** The user's own reports and where their handling stands (from the store). */
export const myDeviations = () => api.deviations.mine({ limit: 100 });

/** The clients of a unit, for the report's client field. */
export const clientsOfUnit = (unitId: string) => api.clients.list({ unitId, limit: 500 });

/** The manager's deviations, open or closed (online). */
export const deviationsToHandle = (state: 'open' | 'closed') => api.deviations.list({ state, limit: 100 });

/** One deviation's case: the report and its handling's steps (online). */
export const openCase = (id: string) => api.deviations.get({ id });

/** The manager writes a step of the handling. */
export const writeStep = (deviationId: string, step: DeviationStepInput) => api.deviations.step({ deviationId, step });

/** The report to IVO as a PDF. */
export const ivoPdf = (id: string) => api.deviations.ivoPdf({ id });

/** The follow-up figures and the patterns of a period, together. */
export const statsAndPatterns = (q: { from: string; to: string }) => Promise.all([api.deviations.stats(q), api.deviations.patterns(q)]);
