import { api } from '../../bridge';
import { createOnce } from '../../state/create-id';

/**
 * What the user does in a client's consent register (docs/consents.md), each returning the API's
 * Result as it came. The components call these and never the bridge.
 */
type Input<F extends (input: never) => unknown> = Parameters<F>[0];
export type Consent = Extract<Awaited<ReturnType<typeof api.consents.list>>, { ok: true }>['value'][number];
export type ConsentInput = Omit<Input<typeof api.consents.record>, 'requestId'>;

/** The client's consents, the latest first (from the encrypted store; a read in the access log). */
export const listConsents = (clientId: string) => api.consents.list({ clientId });

/** Records a consent, with one request id per client's form until it succeeds (a double click or a retry records it once). */
export const recordConsent = (input: ConsentInput) => createOnce(`consent-register:${input.clientId}`, (requestId) => api.consents.record({ requestId, ...input }));

/** Withdraws a consent given: a new event on it; nothing is erased. */
export const withdrawConsent = (input: Input<typeof api.consents.withdraw>) => api.consents.withdraw(input);
