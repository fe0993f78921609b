import type { ApiHandlers } from '#contract';
import type { UserData } from './user-data';

/** The `sync` API namespace: the engine's status, a run now, a refusal the user has read. */
export function syncHandlers(data: Pick<UserData, 'engine' | 'current'>): ApiHandlers<unknown>['sync'] {
  return {
    status: async () => (await data.engine()).status(),
    now: async () => (await data.engine()).syncNow(),
    dismissRefusal: async ({ mutationId }) => {
      const { store, engine } = await data.current();
      await store.dismissRefusal(mutationId);
      void engine.publishStatus();
      return engine.status();
    },
  };
}
