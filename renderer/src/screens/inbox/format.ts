/** Display helpers for the inbox: Swedish dates and personnummer as people write them. */
export const formatPnr = (p: string) => (p.length === 12 ? `${p.slice(0, 8)}-${p.slice(8)}` : p);
export const todaySwedish = () =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
export const formatDateTime = (iso: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
