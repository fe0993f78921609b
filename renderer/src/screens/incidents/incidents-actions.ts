import { api } from '../../bridge';
import { createOnce } from '../../state/create-id';

/**
 * What the incident screen does, as plain functions over the API client (docs/incidents.md): the
 * components call these and never the bridge. Each answers the API's Result as it came. Online only.
 */

type ReportInput = Omit<Parameters<typeof api.incidents.report>[0], 'requestId'>;

/** The user's own reports, or to the administrator every report of the organisation, with the server's clock. */
export const listIncidents = () => api.incidents.list({});

/** Reports an incident, once per form until it succeeds. */
export const reportIncident = (report: ReportInput) => createOnce('incident', (requestId) => api.incidents.report({ requestId, ...report }));

/** An incident's details, with the clients named (opening them is logged). */
export const openIncident = (id: string) => api.incidents.get({ id });

/** The administrator records the report to the municipality. */
export const recordMunicipalityReport = (input: Parameters<typeof api.incidents.municipality>[0]) => api.incidents.municipality(input);

/** The administrator closes the incident. */
export const closeIncident = (id: string, comment: string) => api.incidents.close({ id, comment });

/** What one of the administrator's forms answers: the incident as it now is. */
export type IncidentAnswer = ReturnType<typeof api.incidents.close>;
