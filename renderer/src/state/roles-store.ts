import { create } from 'zustand';
import type { MyRoles } from '#contract';
import { api } from '../bridge';
import { onSessionCleared } from './session-store';

type Role = MyRoles['roles'][number]['role'];

/**
 * The signed-in user's roles in force (administrator, superuser, manager), from the server: which
 * screens the menu offers. Only a convenience: the server checks the role on every call.
 */
interface RolesState {
  roles: Role[];
  load(): Promise<void>;
  clear(): void;
}

export const useRoles = create<RolesState>((set) => ({
  roles: [],
  async load() {
    const result = await api.admin.roles({});
    set({ roles: result.ok ? [...new Set(result.value.roles.map((r) => r.role))] : [] });
  },
  clear() {
    set({ roles: [] });
  },
}));

onSessionCleared(() => useRoles.getState().clear());
