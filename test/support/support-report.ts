/** A workstation's support report (contract/support.ts SupportReport) as the server tests send it: all well, one reader, a card in it. */
export const supportReport = (workstationId: string, workstationName = 'WS-PROV') => ({
  workstationId,
  workstationName,
  appVersion: '0.1.0',
  host: 'browser',
  sync: { lastOkAt: null, outcome: 'none', code: null },
  queue: { count: 0, oldestAt: null },
  refusals: { count: 0, codes: [] },
  card: { service: 'ok', readers: 1, cardPresent: true },
  loggedInAt: new Date().toISOString(),
  store: { state: 'open', bytes: 4096 },
});
