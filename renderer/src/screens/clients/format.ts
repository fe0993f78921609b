import type { ClientRecord } from '../../../../contract';

/** YYYYMMDD-XXXX */
export const formatPnr = (p: string) => `${p.slice(0, 8)}-${p.slice(8)}`;
export const clientName = (c: Pick<ClientRecord, 'givenName' | 'familyName'>) => `${c.givenName} ${c.familyName}`;
/** Local (Swedish) date and time, e.g. 2026-01-15 08:42. */
export const formatTime = (iso: string) =>
  new Date(iso).toLocaleString('sv-SE', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
export const formatClock = (iso: string) => new Date(iso).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
/** Today as YYYY-MM-DD in the workstation's time zone. */
export const today = (d = new Date()) => d.toLocaleDateString('sv-SE');
export const daysAgo = (n: number) => today(new Date(Date.now() - n * 86_400_000));
