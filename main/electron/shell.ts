import path from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import type { Workstation } from '../workstation';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';
import { withCsp } from './csp';
import type { ShellElectron, ShellWindow } from './electron-api';
import { forwardEvents, registerIpc } from './ipc';
import { hardenWebContents } from './navigation';

export interface ShellOptions {
  electron: ShellElectron;
  /** The composition root of the services (main/app.ts in production, a fake in tests). */
  createWorkstation(opts: { host: 'electron'; serverUrl: string; dataDir: string }): Promise<Workstation>;
  serverUrl: string;
  /** Default: app.getPath('userData'). */
  dataDir?: string;
  /** Where dist/ lives. Default: app.getAppPath() (the asar when packaged). */
  appRoot?: string;
}

export interface Shell {
  /** False in a second instance, which has asked the first to come forward and quits. */
  readonly primary: boolean;
  /** The main window once the page is loading; null in a second instance. */
  readonly ready: Promise<ShellWindow | null>;
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
  const { app, protocol, session, shell, ipcMain, BrowserWindow } = opts.electron;

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { primary: false, ready: Promise.resolve(null) };
  }

  // Before `ready`: these only take effect if set first.
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([{ ...APP_SCHEME_PRIVILEGES, privileges: { ...APP_SCHEME_PRIVILEGES.privileges } }]);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => shell.openExternal(url)));

  let window: ShellWindow | null = null;
  let workstation: Workstation | null = null;
  const current = () => window;

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());

  let closed = false;
  app.on('will-quit', (event) => {
    if (closed || !workstation) return;
    event.preventDefault();
    closed = true;
    workstation
      .close()
      .catch((e: unknown) => console.error('workstation close failed', e))
      .finally(() => app.quit());
  });

  const ready = (async () => {
    await app.whenReady();
    const root = opts.appRoot ?? app.getAppPath();

    protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: path.join(root, 'dist', 'renderer') }));
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders) }));

    workstation = await opts.createWorkstation({
      host: 'electron',
      serverUrl: opts.serverUrl,
      dataDir: opts.dataDir ?? app.getPath('userData'),
    });
    registerIpc(ipcMain, workstation, current);
    forwardEvents(workstation, current);

    const win = new BrowserWindow(windowOptions(path.join(root, 'dist', 'preload', 'index.cjs'), app.isPackaged));
    window = win;
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      window = null;
    });
    await win.loadURL(APP_ENTRY_URL);
    return win;
  })();

  return { primary: true, ready };
}
