import { api } from '../../bridge';
import { createOnce } from '../../state/create-id';

/**
 * What the plan screens do, as plain functions over the API client (docs/plans.md): the
 * components call these and never the bridge. Each answers the API's Result as it came.
 */

type FollowUpInput = Omit<Parameters<typeof api.plans.followUp>[0], 'requestId'>;
type ConsentInput = Omit<Parameters<typeof api.plans.consent>[0], 'requestId'>;
type DraftInput = Omit<Parameters<typeof api.plans.saveDraft>[0], 'requestId'>;

/** The client's plans (with the queued changes) and the drafts the server refused as stale, together. */
export const loadClientPlans = (clientId: string) => Promise.all([api.plans.list({ clientId }), api.plans.conflicts({ clientId })]);

/** The editor's working copy left by a lock, a crash or a restart (null when there is none). */
export const workInProgress = (clientId: string) => api.plans.work({ clientId });

/** Autosave: the editor's content as the working copy in the encrypted store. */
export const saveWork = (work: Parameters<typeof api.plans.saveWork>[0]) => api.plans.saveWork(work);

/** "Avbryt": the working copy goes. */
export const discardWork = (clientId: string) => api.plans.dropWork({ clientId });

/** "Spara utkast": queues the draft, once per plan and base revision (a double click or a retry saves it once). */
export const saveDraft = (draft: DraftInput) =>
  createOnce(`plan:${draft.planId}:${draft.baseRevision}`, (requestId) => api.plans.saveDraft({ requestId, ...draft }));

/** "Fastställ": the draft becomes the plan's next version. */
export const setPlan = (input: Parameters<typeof api.plans.set>[0]) => api.plans.set(input);

/** Records a follow-up of the current version, once per form until it succeeds. */
export const recordFollowUp = (followUp: FollowUpInput) => createOnce(`follow-up:${followUp.id}`, (requestId) => api.plans.followUp({ requestId, ...followUp }));

/** Records a consent event, once per form until it succeeds. */
export const recordConsent = (consent: ConsentInput) => createOnce(`consent:${consent.id}`, (requestId) => api.plans.consent({ requestId, ...consent }));

/** The user's choice in a conflict: keep her draft on top of the plan as it is now, or drop it. */
export const resolveConflict = (mutationId: string, keep: 'mine' | 'theirs') => api.plans.resolve({ mutationId, keep });

/** The set version as a PDF for signing. */
export const exportPlan = (planId: string) => api.plans.export({ planId });

/** "Planer att följa upp" for a unit. */
export const duePlans = (unitId: string) => api.plans.due({ unitId, limit: 500 });

/** The client's assignments, newest first, so a plan can say which it covers. */
export const clientAssignments = (clientId: string) => api.inbox.list({ clientId, limit: 100, sort: 'start_desc' });
