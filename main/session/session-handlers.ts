import { oidcRoutes, type ApiHandlers, type SessionState } from '#contract';
import type { ServerClient } from '../server-client';
import { browserLogin, type BrowserLoginOptions } from './oidc-login';
import type { SessionService } from './session-service';

export interface SessionHandlerDeps {
  session: SessionService;
  server: ServerClient;
  /** The IdP login's browser: how it opens, the issuer the machine names, the workstation's name. */
  browser: Omit<BrowserLoginOptions, 'server' | 'loa'>;
  /** After any login: what the workstation starts for the user (her store, queued access events, support). */
  loggedIn: (state: SessionState) => SessionState;
}

/** The `session` API namespace: every way to log in, then logout, idle and the methods offered (docs/login.md). */
export function sessionHandlers({ session, server, browser, loggedIn }: SessionHandlerDeps): ApiHandlers<unknown>['session'] {
  return {
    status: async () => session.status(),
    login: async (input) => loggedIn(await session.login(input)),
    passwordStart: (input) => session.passwordStart(input),
    passwordVerify: async (input) => loggedIn(await session.passwordVerify(input)),
    logout: () => session.logout(),
    methods: () => server.call(oidcRoutes.methods),
    loginWithIdp: async ({ loa }) => loggedIn(await session.loginWithIdp(() => browserLogin({ ...browser, server, ...(loa ? { loa } : {}) }))),
    activity: async () => {
      session.touch();
      return { idleTimeoutMs: session.idleTimeoutMs };
    },
  };
}

/** The `card` API namespace: the readers and the card in them, before login. */
export function cardHandlers(session: SessionService): ApiHandlers<unknown>['card'] {
  return {
    status: async () => session.cardStatus(),
    selectReader: async ({ reader }) => session.selectReader(reader),
    insertDemoCard: async ({ id }) => session.insertDemoCard(id),
  };
}
