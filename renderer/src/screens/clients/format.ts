import type { ClientRecord } from '#contract';

export const clientName = (c: Pick<ClientRecord, 'givenName' | 'familyName'>) => `${c.givenName} ${c.familyName}`;
export const formatClock = (iso: string) => new Date(iso).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
