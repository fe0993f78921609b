import type { CardStatus, LogSearch } from '#contract';
import { api, events } from '../../bridge';
import { createOnce } from '../../state/create-id';

/**
 * What the administrator does on Administration (docs/administration.md), each one call of the
 * API returning its Result as it came: the panels show the answer and the error. Creates carry one
 * request id per form until they succeed (`createOnce`).
 */
type Input<F extends (input: never) => unknown> = Parameters<F>[0];
/** The input without its request id (each member of a union alike). */
type Create<F extends (input: never) => unknown> = Input<F> extends infer I ? (I extends unknown ? Omit<I, 'requestId'> : never) : never;

// People and grants (PeoplePanel).
export const loadPeople = () => api.admin.people({});
/** The card readers as they are now and as cards come and go; returns the unsubscribe. */
export function watchCardReaders(listener: (card: CardStatus) => void): () => void {
  void api.card.status({}).then((r) => r.ok && listener(r.value));
  return events.on('card.changed', listener);
}
export const addPerson = (input: Create<typeof api.admin.addPerson>) => createOnce('add-person', (requestId) => api.admin.addPerson({ requestId, ...input }));
export const addPersonFromCard = (input: Create<typeof api.admin.addPersonFromCard>) => createOnce('add-person-card', (requestId) => api.admin.addPersonFromCard({ requestId, ...input }));
export const grantPermission = (input: Create<typeof api.admin.grant>) => createOnce(`grant:${input.staffId}`, (requestId) => api.admin.grant({ requestId, ...input }));
export const endGrant = (input: Input<typeof api.admin.end>) => api.admin.end(input);
export const confirmGrant = (id: string) => api.admin.confirm({ id });

// Permission history (HistoryPanel).
export const loadPermissionHistory = () => api.admin.history({});

// Access-log follow-up (LogPanel).
export const loadReviews = () => api.admin.reviews({});
export const searchLog = (search: LogSearch) => api.admin.logSearch(search);
export const sampleLog = (size: number) => api.admin.logSample({ size });
export const saveReview = (input: Create<typeof api.admin.createReview>) => createOnce('log-review', (requestId) => api.admin.createReview({ requestId, ...input }));
export const exportLog = (format: 'csv' | 'pdf', search: LogSearch) => (format === 'csv' ? api.admin.logCsv : api.admin.logPdf)(search);
export const printReview = (id: string) => api.admin.reviewPdf({ id });
export const verifyLog = () => api.admin.verify({});

// Card-less login (CredentialsPanel): the credentials with the people's names.
export const loadCredentials = () => Promise.all([api.credentials.list({}), api.admin.people({})]);
export const saveLoginMethods = (input: Input<typeof api.credentials.setMethods>) => api.credentials.setMethods(input);
export const setPassword = (input: Input<typeof api.credentials.setPassword>) => api.credentials.setPassword(input);
export const enrolYubikey = (input: Create<typeof api.credentials.enrolYubikey>) => createOnce('enrol-yubikey', (requestId) => api.credentials.enrolYubikey({ requestId, ...input }));
export const unlockPerson = (staffId: string) => api.credentials.unlock({ staffId });
export const revokeYubikey = (publicId: string) => api.credentials.revokeYubikey({ publicId });
