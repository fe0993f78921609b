import type { ApiHandlers } from '../contract';
import { EventHub } from './events';
import { createRouter } from './router';
import { createServerClient } from './server-client';
import type { Workstation } from './workstation';
import { appVersion } from './version';

export interface WorkstationOptions {
  host: 'electron' | 'browser';
  /** The municipal server, e.g. http://127.0.0.1:4010 or https://treserva.kommun.se */
  serverUrl: string;
  /** Where the encrypted store and drafts live (per user and device). */
  dataDir: string;
}

interface Ctx {
  host: WorkstationOptions['host'];
}

/**
 * The composition root of the workstation's services. Both hosts call this and get the same
 * `dispatch`; nothing below knows whether Electron or the browser host is in front.
 */
export async function createWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const server = createServerClient(opts.serverUrl);
  const events = new EventHub();

  const handlers: ApiHandlers<Ctx> = {
    app: {
      info: async (_input, ctx) => ({ name: 'Omsorgsportalen', version: appVersion, host: ctx.host, serverUrl: server.baseUrl }),
    },
    units: {
      list: async () => (await server.get('units')).units,
    },
  };

  const dispatch = createRouter(handlers, () => ({ host: opts.host }), {
    error: (obj, msg) => console.error(JSON.stringify({ level: 'error', msg, ...obj })),
  });

  return {
    dispatch,
    onEvent: (listener) => events.on(listener),
    close: async () => undefined,
  };
}
