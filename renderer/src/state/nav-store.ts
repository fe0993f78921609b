import { create } from 'zustand';

/**
 * Where the user is. Not sensitive, so it survives a lock: the same card and PIN bring the user
 * back to the same screen (its data is fetched again under the new session).
 */
export interface NavState {
  screen: string;
  /** Screen parameters, e.g. `{ clientId }`; ids only, never names or personnummer. */
  params: Record<string, string>;
  go(screen: string, params?: Record<string, string>): void;
}

export const useNav = create<NavState>((set) => ({
  screen: 'units',
  params: {},
  go: (screen, params = {}) => set({ screen, params }),
}));
