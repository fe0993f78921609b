import { api } from '../../bridge';
import { createOnce } from '../../state/create-id';

/** What a superuser does on Support (docs/administration.md), each returning the API's Result as it came. */
export const loadColleagues = () => api.support.colleagues({});
/** A support message to a colleague, with one request id per colleague until it succeeds. */
export const sendSupportMessage = (staffId: string, message: { subject: string; text: string }) =>
  createOnce(`support-message:${staffId}`, (requestId) => api.support.message({ requestId, staffId, ...message }));
