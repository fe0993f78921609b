import { create } from 'zustand';
import type { AppError, Unit } from '#contract';
import { api } from '../bridge';
import { onSessionCleared } from './session-store';

interface UnitsState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  units: Unit[];
  error: AppError | null;
  load(): Promise<void>;
  clear(): void;
}

export const useUnits = create<UnitsState>((set) => ({
  status: 'idle',
  units: [],
  error: null,
  async load() {
    set({ status: 'loading', error: null });
    const result = await api.units.list({});
    if (result.ok) set({ status: 'ready', units: result.value });
    else set({ status: 'error', error: result.error });
  },
  clear() {
    set({ status: 'idle', units: [], error: null });
  },
}));

onSessionCleared(() => useUnits.getState().clear());
