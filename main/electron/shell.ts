import type { BrowserWindowConstructorOptions } from 'electron';
import { cardStackFor, MachineConfigError, type WorkstationSettings } from '../config/machine-config';
import { KeyVaultUnavailableError, type KeyVault } from '../key-vault';
import type { CardStackOption } from '../session/card-access';
import type { WorkerEntry } from '../store/worker-client';
import type { Workstation } from '../workstation';
import { createRotatingLog, errorLine, lastCrashAt } from './app-log';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';
import { bundlePath } from './bundle-paths';
import { withCsp } from './csp';
import type { ShellElectron, ShellWindow } from './electron-api';
import { dialogExportSink } from './export-dialogs';
import { forwardEvents, registerIpc } from './ipc';
import { SafeStorageKeyVault } from './key-vault';
import { hardenWebContents } from './navigation';
import { startUpdates, type UpdaterApi, type Updates } from './updater';

/** What the shell hands the composition root (main/app.ts's WorkstationOptions accepts it). */
export interface ShellWorkstationOptions {
  host: 'electron';
  serverUrl: string;
  /** The card stack the machine's configuration names (PC/SC by default). */
  card: CardStackOption;
  idleTimeoutMs?: number;
  dataDir: string;
  /** Wraps the local store's key with the OS: Electron safeStorage, i.e. DPAPI on Windows. */
  vault: KeyVault;
  /** The bundled store worker (dist/main/store/worker.cjs under the app root): the bundle has no source to start. */
  storeWorker: WorkerEntry;
  /** The bundled sync pull worker (dist/main/sync/pull-worker.cjs), for the same reason. */
  pullWorker: WorkerEntry;
  /** Boot the workers ahead of each login, the first ones once the window shows (main/app.ts). */
  prestartWorkers: 'when-shown';
  /** The workstation's log lines: to the rotating log file (app-log.ts). */
  logLine: (line: string) => void;
  /** When the app last crashed (its newest local crash dump). */
  lastCrashAt: () => string | null;
  /** Opens the identity provider's login in the system browser: Electron's shell.openExternal. */
  openExternal: (url: string) => Promise<void>;
  idpIssuer?: string;
}

export interface ShellOptions {
  electron: ShellElectron;
  /** The composition root of the services (main/app.ts in production, a fake in tests). */
  createWorkstation(opts: ShellWorkstationOptions): Promise<Workstation>;
  /**
   * The server, card profile, idle timeout and update feed: main/config/machine-config.ts's
   * resolveSettings in production. Read after `ready`; a MachineConfigError stops the start with
   * an error window naming the file and what is wrong.
   */
  settings(): WorkstationSettings;
  /** Default: app.getPath('userData'). */
  dataDir?: string;
  /** Where dist/ lives. Default: app.getAppPath() (the asar when packaged). */
  appRoot?: string;
  /** electron-updater's autoUpdater, loaded only when the packaged app has an update feed. */
  updater?: () => UpdaterApi;
  /** Where app-update.yml is: process.resourcesPath in Electron. */
  resourcesPath?: string;
}

export interface Shell {
  /** False in a second instance, which has asked the first to come forward and quits. */
  readonly primary: boolean;
  /**
   * The main window once the page is loading; null in a second instance, and when the start
   * failed — the user has then been told why in an error box and the app exits with code 1.
   */
  readonly ready: Promise<ShellWindow | null>;
}

export const STARTUP_FAILED_TITLE = 'Omsorgsportalen kan inte starta';

/**
 * What the error box says when the start fails; in Swedish, for the user. Startup errors (the
 * machine's configuration, Windows policy, the key vault, the demo card) are written in Swedish
 * where they are made: they are shown here, before any UI and its texts exist — the exception to
 * "error codes become Swedish text in the renderer" (docs/adding-a-feature.md, "Errors";
 * test/unit/architecture/error-texts.test.ts lists these files).
 */
export function startupFailureText(e: unknown): string {
  if (e instanceof MachineConfigError) {
    return [
      `${e.label} kan inte användas:`,
      e.problems.map((p) => `• ${p}`).join('\n'),
      'Kontakta er IT-kontaktperson.',
    ].join('\n\n');
  }
  if (e instanceof KeyVaultUnavailableError) {
    return [
      e.message,
      'Arbetsstationen sparar uppgifterna på datorn krypterade, med en nyckel som operativsystemet skyddar. ' +
        'Utan det skyddet startar den inte, och ingen oskyddad nyckel används i stället.',
      'Kontakta er IT-kontaktperson.',
    ].join('\n\n');
  }
  return `Arbetsstationen kunde inte starta: ${e instanceof Error ? e.message : String(e)}`;
}

/** Writes saved on this PC but not yet on the server; 0 with nobody logged in (their outbox waits in their store). */
async function pendingWrites(workstation: Workstation): Promise<number> {
  const r = await workstation.dispatch('sync.status', {});
  return r.ok ? (r.value as { pending: number }).pending : 0;
}

/** The window's options: the Electron security checklist in one place. */
export function windowOptions(preload: string, packaged: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Omsorgsportalen',
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: !packaged,
    },
  };
}

/**
 * The thin Electron shell: single instance, app:// protocol with CSP, permissions denied, every
 * webContents locked down, one hardened window, contract IPC with sender checks, events pushed.
 * Everything Electron is reached through `electron`, so tests can pass a fake.
 */
export function startShell(opts: ShellOptions): Shell {
  const { app, protocol, session, shell, ipcMain, BrowserWindow, safeStorage, dialog, crashReporter } = opts.electron;

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { primary: false, ready: Promise.resolve(null) };
  }

  // Before `ready`: these only take effect if set first. The UI language is Swedish whatever the
  // machine's: Chromium's own texts (a field's validation, the print dialog's preview) follow it.
  app.commandLine.appendSwitch('lang', 'sv-SE');
  // No console on Windows: a crash leaves a minidump on the PC (never uploaded), the log a file (app-log.ts).
  crashReporter.start({ uploadToServer: false, compress: true });
  const log = createRotatingLog({ dir: app.getPath('logs') });
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([{ ...APP_SCHEME_PRIVILEGES, privileges: { ...APP_SCHEME_PRIVILEGES.privileges } }]);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => shell.openExternal(url)));

  let window: ShellWindow | null = null;
  let workstation: Workstation | null = null;
  let updates: Updates | null = null;
  const current = () => window;

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());

  let closed = false;
  let holdBack: ReturnType<typeof setTimeout> | null = null;
  app.on('will-quit', (event) => {
    if (holdBack) clearTimeout(holdBack);
    if (closed || !workstation) return;
    event.preventDefault();
    closed = true;
    updates?.stop();
    workstation
      .close()
      .catch((e: unknown) => {
        console.error('workstation close failed', e);
        log.write(errorLine('workstation close failed', e));
      })
      .finally(() => app.quit());
  });

  const start = async () => {
    await app.whenReady();
    const settings = opts.settings();
    const root = opts.appRoot ?? app.getAppPath();
    // safeStorage works only after ready. No OS key store, no start: nothing falls back to a key
    // file beside the data (main/app.ts would use the development vault without this one).
    const vault = new SafeStorageKeyVault(safeStorage);
    await vault.assertAvailable();

    protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: bundlePath(root, 'renderer') }));
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders) }));

    workstation = await opts.createWorkstation({
      host: 'electron',
      serverUrl: settings.serverUrl,
      card: cardStackFor(settings.card),
      ...(settings.idleTimeoutMs ? { idleTimeoutMs: settings.idleTimeoutMs } : {}),
      // The identity provider's login in the system browser (RFC 8252), never in a window of ours.
      openExternal: (url: string) => opts.electron.shell.openExternal(url),
      ...(settings.idpIssuer ? { idpIssuer: settings.idpIssuer } : {}),
      dataDir: opts.dataDir ?? app.getPath('userData'),
      vault,
      // Electron ≥ 17 loads a worker from inside app.asar; its native module is unpacked (electron-builder.yml).
      storeWorker: bundlePath(root, 'storeWorker'),
      pullWorker: bundlePath(root, 'pullWorker'),
      prestartWorkers: 'when-shown',
      logLine: (line) => log.write(line),
      lastCrashAt: () => lastCrashAt(app.getPath('crashDumps')),
    });
    workstation.useExportSink(dialogExportSink(opts.electron));
    registerIpc(ipcMain, workstation, current);
    forwardEvents(workstation, current);

    const win = new BrowserWindow(windowOptions(bundlePath(root, 'preload'), app.isPackaged));
    window = win;
    // Once the login screen is painted (or after 3 s at the latest): the spare workers and the
    // server warm-up that were held back so as not to slow it down (main/app.ts, 'when-shown').
    const started = workstation;
    holdBack = setTimeout(() => started.shown?.(), 3000);
    win.once('ready-to-show', () => {
      win.show();
      if (holdBack) clearTimeout(holdBack);
      started.shown?.();
    });
    win.on('closed', () => {
      window = null;
    });
    await win.loadURL(APP_ENTRY_URL);
    if (settings.updateFeed && app.isPackaged && opts.updater) {
      const ws = workstation;
      updates = startUpdates({
        updater: opts.updater(),
        feedUrl: settings.updateFeed,
        resourcesPath: opts.resourcesPath ?? root,
        pendingWrites: () => pendingWrites(ws),
        askRestart: async (version) =>
          (
            await dialog.showMessageBox({
              type: 'question',
              title: 'Uppdatering',
              message: `Omsorgsportalen ${version} är hämtad.`,
              detail: 'Allt du har sparat är skickat till servern. Starta om nu för att installera uppdateringen, eller senare: den installeras då när du avslutar.',
              buttons: ['Starta om nu', 'Senare'],
              defaultId: 1,
              cancelId: 1,
            })
          ).response === 0,
      });
    }
    return win;
  };

  const ready = start().catch((e: unknown): null => {
    console.error('Arbetsstationen kunde inte starta:', e);
    log.write(errorLine('startup failed', e));
    dialog.showErrorBox(STARTUP_FAILED_TITLE, startupFailureText(e));
    app.exit(1);
    return null;
  });

  return { primary: true, ready };
}
