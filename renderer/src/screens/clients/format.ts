import type { ClientRecord } from '#contract';

export const clientName = (c: Pick<ClientRecord, 'givenName' | 'familyName'>) => `${c.givenName} ${c.familyName}`;
/** The clock in Sweden (Europe/Stockholm), as the journal's entries show it, whatever zone the PC is set to (issue 32). */
const SWEDISH_CLOCK = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit', second: '2-digit' });
export const formatClock = (iso: string) => SWEDISH_CLOCK.format(new Date(iso));
