import { AppFailure, type ApiHandlers } from '../contract';
import { EventHub } from './events';
import { createRouter } from './router';
import { createServerClient } from './server-client';
import { openCardAccess, type CardAccess, type CardStackOption } from './session/card-access';
import { SessionService } from './session/session-service';
import { UnitsService } from './units/units-service';
import type { Workstation } from './workstation';
import { appVersion } from './version';

export interface WorkstationOptions {
  host: 'electron' | 'browser';
  /** The municipal server, e.g. http://127.0.0.1:4010 or https://omsorg.kommun.example */
  serverUrl: string;
  /** Where the encrypted store and drafts live (per user and device). */
  dataDir: string;
  /** Real PC/SC (default), or the in-process software card for a demo without pcscd. */
  card?: CardStackOption | CardAccess;
  /** Idle time before the workstation locks (default 15 min). */
  idleTimeoutMs?: number;
  workstationName?: string;
}

interface Ctx {
  host: WorkstationOptions['host'];
}

/**
 * The composition root of the workstation's services. Both hosts call this and get the same
 * `dispatch`; nothing below knows whether Electron or the browser host is in front.
 */
export async function createWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const server = createServerClient(opts.serverUrl, opts.workstationName ? { workstation: opts.workstationName } : {});
  const events = new EventHub();
  const card = isCardAccess(opts.card) ? opts.card : await openCardAccess(opts.card ?? { kind: 'pcsc' });
  const session = new SessionService({
    server,
    card,
    events,
    ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    ...(opts.workstationName ? { workstationName: opts.workstationName } : {}),
  });
  const units = new UnitsService(server, session);

  const handlers: ApiHandlers<Ctx> = {
    app: {
      info: async (_input, ctx) => ({ name: 'Omsorgsportalen', version: appVersion, host: ctx.host, serverUrl: server.baseUrl }),
    },
    card: {
      status: async () => session.cardStatus(),
    },
    session: {
      status: async () => session.status(),
      login: (input) => session.login(input),
      logout: () => session.logout(),
      activity: async () => {
        session.touch();
        return { idleTimeoutMs: session.idleTimeoutMs };
      },
    },
    units: {
      list: () => units.list(),
    },
    // Wired to the local store and the sync engine (issue 4); until then they answer clearly.
    sync: { status: notYet, now: notYet, dismissRefusal: notYet },
    clients: { list: notYet },
    journal: { list: notYet, create: notYet },
    notes: { list: notYet, create: notYet, search: notYet },
  };

  const dispatch = createRouter(handlers, () => ({ host: opts.host }), {
    error: (obj, msg) => console.error(JSON.stringify({ level: 'error', msg, ...obj })),
  });

  return {
    dispatch,
    onEvent: (listener) => events.on(listener),
    close: async () => {
      await session.close();
      await card.close();
    },
  };
}

const notYet = async (): Promise<never> => Promise.reject(new AppFailure('UNKNOWN_METHOD', 'Funktionen är inte inkopplad ännu'));

const isCardAccess = (c: WorkstationOptions['card']): c is CardAccess => typeof c === 'object' && c !== null && 'monitor' in c;
