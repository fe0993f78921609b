import path from 'node:path';
import { AppFailure, because, reportedAppVersion, type ApiHandlers, type SessionState } from '#contract';
import { AccessReporter } from './access/access-reporter';
import { adminHandlers } from './admin/admin-handlers';
import { credentialsHandlers } from './admin/credentials-handlers';
import { inboxHandlers } from './assignments/inbox-service';
import { consentsHandlers } from './consents/consents-service';
import { dayNotesHandlers } from './daynotes/daynotes-service';
import { deviationsHandlers } from './deviations/deviations-service';
import { EventHub } from './events';
import { folderSink, type ExportSink } from './exports/export-sink';
import { incidentsHandlers } from './incidents/incidents-handlers';
import { draftsHandlers, journalHandlers } from './journal/journal-handlers';
import { JournalService } from './journal/journal-service';
import type { KeyVault } from './key-vault';
import { messagesHandlers } from './messages/messages-service';
import { KsiListCopy } from './plans/ksi-list';
import { PlansService, plansHandlers } from './plans/plans-service';
import { createRouter } from './router';
import { createServerClient, warmUp } from './server-client';
import { authorOf } from './session/author';
import { openCardAccess, type CardAccess, type CardStackOption } from './session/card-access';
import { fileReaderChoice } from './session/reader-choice';
import { cardHandlers, sessionHandlers } from './session/session-handlers';
import { SessionService } from './session/session-service';
import { DevKeyFileVault, localStoreFile, openLocalStore, resetLocalStore } from './store';
import { prestartStoreWorker, type WorkerEntry } from './store/worker-client';
import { supportHandlers } from './support/support-handlers';
import { SupportReporter, type SupportReporterOptions } from './support/support-reporter';
import { prestartPullWorker } from './sync/page-fetcher';
import type { SyncEngineOptions } from './sync/sync-engine';
import { syncHandlers } from './sync/sync-handlers';
import { UserData } from './sync/user-data';
import { UnitsService } from './units/units-service';
import { appVersion } from './version';
import type { Workstation } from './workstation';

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
  /**
   * Opens the identity provider's login in the system browser (issue 29): Electron's
   * shell.openExternal. Absent (the browser host): the renderer is asked to open a tab
   * (event `session.openExternal`).
   */
  openExternal?: (url: string) => Promise<void>;
  /** The identity provider the machine's configuration names (its issuer); the login goes nowhere else. */
  idpIssuer?: string;
  /**
   * Wraps the local store's key. The Electron shell passes its SafeStorageKeyVault (DPAPI on
   * Windows); without one (browser host, tests) the development key-file vault in `dataDir` is used.
   */
  vault?: KeyVault;
  /**
   * The store's worker thread when bundled: the Electron shell passes dist/main/store/worker.cjs.
   * Without it (from source: browser host, tests) the store starts main/store/worker.ts itself.
   */
  storeWorker?: WorkerEntry;
  /** The pull worker when bundled: dist/main/sync/pull-worker.cjs (as storeWorker, for main/sync/pull-worker.ts). */
  pullWorker?: WorkerEntry;
  /**
   * Boot the store and pull workers ahead of each login (a spare of each, holding no file and no
   * key), so the ~0.1 s a worker takes to start does not fall between the PIN and the first data.
   * The Electron shell, `npm start` and the sync benchmark set it; tests leave it off.
   * 'when-shown' (the Electron shell): the first spares and the server warm-up wait for
   * `workstation.shown()`, so that their compiling and fetch's loading do not delay the login
   * screen (bench/startup.ts); the user needs seconds for card and PIN after it appears.
   */
  prestartWorkers?: boolean | 'when-shown';
  /** Sync tuning (tests, benchmarks): backoff, batch sizes, the safety pull interval. */
  sync?: Partial<Pick<SyncEngineOptions, 'backoff' | 'events' | 'pushBatch' | 'pullLimit' | 'safetyPullMs' | 'poisonMinSpanMs' | 'pullStage'>>;
  /** How often the workstation reports its own state for first-line support (tests shorten it). */
  support?: Partial<Pick<SupportReporterOptions, 'intervalMs' | 'minGapMs'>>;
  /** Where the workstation's own log lines (JSON, no personal data) go; default stderr. `npm start` writes them to a file. */
  logLine?: (line: string) => void;
  /** When the app last crashed (the Electron shell: its newest local crash dump); none in the browser host. */
  lastCrashAt?: () => string | null;
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
    readerChoice: fileReaderChoice(opts.dataDir),
  });
  const units = new UnitsService(server, session);
  const logLine = opts.logLine ?? ((line: string) => console.error(line));
  const log = (obj: object, msg: string) => logLine(JSON.stringify({ level: 'error', msg, ...obj }));
  const vault = opts.vault ?? new DevKeyFileVault(opts.dataDir);
  // First-line support: the workstation's telemetry of itself (main/support/); counts and states, never content.
  const support = new SupportReporter({
    server,
    token: () => session.requireToken(),
    dataDir: opts.dataDir,
    workstationName: opts.workstationName ?? null,
    host: opts.host,
    // A server older than this workstation shows in the support view as the version's build metadata.
    appVersion: () => reportedAppVersion(appVersion, session.status().serverApiVersion),
    card: () => session.cardStatus(),
    store: () => {
      const user = session.status().user;
      return { state: data.status().state, file: user ? localStoreFile(opts.dataDir, user.hsaId, loa()) : null };
    },
    queue: async () => {
      if (data.status().state !== 'open') return null;
      const { store, engine } = await data.current();
      const [status, oldest] = await Promise.all([engine.status(), store.outbox(1)]);
      return { pending: status.pending, oldestAt: oldest[0]?.enqueuedAt ?? null, refusalCodes: status.refusals.map((r) => r.code) };
    },
    ...opts.support,
    log,
  });
  session.onLock(() => support.stop());
  /** The session's assurance level (3: a card session, or a server from before issue 29). */
  const loa = () => session.status().assurance?.loa ?? 3;
  const data = new UserData({
    // One store per assurance level (issue 29): the session's level picks the file and its key.
    openStore: (user) => openLocalStore({ dataDir: opts.dataDir, hsaId: user.hsaId, loa: loa(), vault, workerUrl: opts.storeWorker }),
    resetStore: (user) => resetLocalStore({ dataDir: opts.dataDir, hsaId: user.hsaId, loa: loa() }),
    storeId: (user) => `${user.hsaId}|loa${loa()}`,
    token: () => session.requireToken(),
    serverUrl: opts.serverUrl,
    emit: (name, payload) => events.emit(name, payload),
    engine: {
      ...opts.sync,
      ...(opts.workstationName ? { workstationName: opts.workstationName } : {}),
      ...(opts.pullWorker !== undefined ? { pullWorker: opts.pullWorker } : {}),
      onRun: (outcome) => support.syncRan(outcome),
    },
    log,
    audit: (obj, msg) => logLine(JSON.stringify({ level: 'info', msg, ...obj })),
  });
  const prestart = () => {
    if (!opts.prestartWorkers) return;
    prestartStoreWorker(opts.storeWorker);
    prestartPullWorker(opts.pullWorker);
  };
  let shown = false;
  const afterShown = () => {
    if (shown) return;
    shown = true;
    prestart();
    if (opts.prestartWorkers) warmUp(server);
  };
  if (opts.prestartWorkers !== 'when-shown') afterShown();
  // Locked, logged out or another card: the store closes and its key leaves memory at once; then
  // fresh workers wait for the next login.
  session.onLock(() => void data.close().then(prestart));
  /** The signed-in user of an unlocked session. */
  const signedIn = () => {
    session.requireToken();
    const user = session.status().user;
    if (!user) throw new AppFailure('UNAUTHENTICATED', 'no user logged in');
    return user;
  };
  /** The signed-in user, for stamping local writes; the server stamps its own copy from the session. */
  const author = () => authorOf(signedIn());

  // Journal and day notes (docs/journal.md): reads/copies/exports go to the server's access log.
  const access = new AccessReporter({ server, store: () => data.store(), token: () => session.requireToken(), log });
  session.onLock(() => access.stop());
  /** After a local write: push soon, tell the renderer. */
  const written = (kinds: string[]) => {
    void data.engine().then((engine) => {
      engine.kick();
      void engine.publishStatus();
    });
    events.emit('data.changed', { kinds });
  };
  const exportsDir = path.join(opts.dataDir, 'exports');
  // The host's way out for an export (useExportSink); until a host sets one, the exports folder.
  let exportSink: ExportSink = folderSink(exportsDir);
  const journal = new JournalService({ store: () => data.store(), author, access, exports: () => exportSink, written });
  // The organisation's KSI list, as the server last handed it out (kept for offline use).
  const ksi = new KsiListCopy({ server, token: () => session.requireToken(), dataDir: opts.dataDir, log });
  const plans = new PlansService({ store: () => data.store(), author, access, written, exports: () => exportSink, ksi });

  /** After any login: the store opens in the background; calls that need it wait for it (login stays fast). */
  const loggedIn = (state: SessionState): SessionState => {
    if (state.state === 'active' && state.user) {
      data.open(state.user);
      access.kick(); // access events queued before the lock or offline
      support.loggedIn();
      void ksi.refresh();
    }
    return state;
  };

  const handlers: ApiHandlers<Ctx> = {
    app: {
      info: async (_input, ctx) => ({ name: 'Omsorgsportalen', version: appVersion, host: ctx.host, serverUrl: server.baseUrl, lastCrashAt: opts.lastCrashAt?.() ?? null }),
    },
    card: cardHandlers(session),
    session: sessionHandlers({
      session,
      server,
      browser: {
        openExternal: opts.openExternal ?? (async (url) => events.emit('session.openExternal', { url })),
        ...(opts.idpIssuer ? { expectedIssuer: opts.idpIssuer } : {}),
        ...(opts.workstationName ? { workstation: opts.workstationName } : {}),
      },
      loggedIn,
    }),
    units: {
      list: () => units.list(),
    },
    sync: syncHandlers(data),
    store: {
      status: async () => data.status(),
      // Unreadable store → files moved aside, a fresh one synced (docs/store.md); only for the signed-in user.
      resync: async () => data.resync(signedIn()),
    },
    clients: {
      list: async (q) => (await data.store()).clients(q),
      get: async ({ id }) => (await data.store()).client(id),
    },
    journal: journalHandlers(journal),
    drafts: draftsHandlers(journal),
    audit: {
      copied: async (e) => ({ queued: await access.record({ action: 'copy', ...e }) }),
    },
    daynotes: dayNotesHandlers({ data, author, access, written }),
    inbox: inboxHandlers({ data, server, token: () => session.requireToken(), emit: (name, payload) => events.emit(name, payload) }),
    plans: plansHandlers(plans),
    messages: messagesHandlers({
      data,
      author,
      access,
      written,
      server,
      token: () => session.requireToken(),
      produce: { journal: (clientId) => journal.renderPdf(clientId, journal.signature()), plan: (clientId) => plans.renderCurrentPdf(clientId) },
      exportsDir,
    }),
    // Not personal data: no access-log event. Past notices are left out here; current ones are the renderer's (its clock).
    notices: { list: async () => (await data.store()).read('notice', 'list', { now: new Date(Date.now() - 86_400_000).toISOString() }) },
    admin: adminHandlers({
      server,
      token: () => session.requireToken(),
      readCertificate: (reader) => {
        if (!card.readCertificate) throw new AppFailure('CARD_ERROR', 'this card reader cannot read certificates here', because('CARD_CERT_NOT_READABLE_HERE'));
        return card.readCertificate(reader);
      },
      exportsDir,
      printedBy: () => author().name,
    }),
    credentials: credentialsHandlers({ server, token: () => session.requireToken() }),
    incidents: incidentsHandlers({ server, token: () => session.requireToken() }),
    support: supportHandlers({ server, token: () => session.requireToken() }),
    deviations: deviationsHandlers({ store: () => data.store(), author, access, written, server, token: () => session.requireToken(), exports: () => exportSink }),
    consents: consentsHandlers({ store: () => data.store(), author, access, written }),
  };

  const dispatch = createRouter(handlers, () => ({ host: opts.host }), { error: log });

  return {
    dispatch,
    onEvent: (listener) => events.on(listener),
    useExportSink: (sink) => {
      exportSink = sink;
    },
    shown: afterShown,
    close: async () => {
      support.stop();
      await session.close();
      await data.close();
      await card.close();
    },
  };
}

const isCardAccess = (c: WorkstationOptions['card']): c is CardAccess => typeof c === 'object' && c !== null && 'monitor' in c;
