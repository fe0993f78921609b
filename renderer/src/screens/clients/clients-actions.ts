import { api } from '../../bridge';

/** The clients of the user's units, from the encrypted store (works offline); each returns the API's Result as it came. */
export const listClients = (search: string) => api.clients.list({ limit: 200, ...(search.trim() ? { search: search.trim() } : {}) });
export const getClient = (id: string) => api.clients.get({ id });
