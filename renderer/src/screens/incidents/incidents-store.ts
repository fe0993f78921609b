import { create } from 'zustand';
import type { IncidentList } from '#contract';
import { onSessionCleared } from '../../state/session-store';
import { listIncidents } from './incidents-actions';

/**
 * What the administrator's menu badge counts: the organisation's incidents not yet reported to the
 * municipality. Set from every list the screen loads, and fetched by the badge (online only; the
 * server answers staff with their own reports, which the badge does not count).
 */
interface IncidentsState {
  waiting: number;
  set(list: IncidentList): void;
  refresh(): Promise<void>;
  clear(): void;
}

const waitingIn = (list: IncidentList) => (list.scope === 'organisation' ? list.incidents.filter((i) => i.status === 'open').length : 0);

export const useIncidents = create<IncidentsState>((set) => ({
  waiting: 0,
  set(list) {
    set({ waiting: waitingIn(list) });
  },
  async refresh() {
    const r = await listIncidents();
    if (r.ok) set({ waiting: waitingIn(r.value) });
  },
  clear() {
    set({ waiting: 0 });
  },
}));

onSessionCleared(() => useIncidents.getState().clear());
