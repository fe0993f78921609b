import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserWindowConstructorOptions, CustomScheme, HeadersReceivedResponse, WindowOpenHandlerResponse } from 'electron';
import type { ShellElectron, ShellIpcEvent, ShellSafeStorage, ShellSession } from '../../main/electron/electron-api';

/**
 * A fake `electron` module for unit tests (the Electron binary cannot run on our build machines).
 * It records what the shell and the preload do — window options, IPC handlers, protocol handlers,
 * app and webContents listeners, openExternal calls, error boxes, exit codes — and lets a test fire
 * events back, with a `preventDefault` spy on each. Its safeStorage really encrypts reversibly
 * (XOR behind a "v10" prefix, as Chromium's blobs begin), so a store key wrapped by it round-trips.
 */

export interface FiredEvent {
  url?: string;
  defaultPrevented: boolean;
  preventDefault(): void;
}

const firedEvent = (extra: { url?: string } = {}): FiredEvent => {
  const ev: FiredEvent = {
    ...extra,
    defaultPrevented: false,
    preventDefault() {
      ev.defaultPrevented = true;
    },
  };
  return ev;
};

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  windowOpenHandler: ((details: { url: string }) => WindowOpenHandlerResponse) | null = null;
  readonly sent: unknown[][] = [];
  readonly mainFrame = { url: '' };

  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  /** Print calls; `printAnswer` is what the fake user does in the system print dialog. */
  readonly printed: { silent: boolean; printBackground: boolean }[] = [];
  printAnswer: { success: boolean; reason: string } = { success: true, reason: '' };
  print(options: { silent: boolean; printBackground: boolean }, callback: (success: boolean, failureReason: string) => void): void {
    this.printed.push(options);
    queueMicrotask(() => callback(this.printAnswer.success, this.printAnswer.reason));
  }
  /** Fires `will-navigate`/`will-redirect` as Electron does (details with url, then the url); returns the event. */
  navigate(kind: 'will-navigate' | 'will-redirect', url: string): FiredEvent {
    const ev = firedEvent({ url });
    this.emit(kind, ev, url);
    return ev;
  }
  attachWebview(): FiredEvent {
    const ev = firedEvent();
    this.emit('will-attach-webview', ev, {}, {});
    return ev;
  }
  openWindow(url: string): WindowOpenHandlerResponse | undefined {
    return this.windowOpenHandler?.({ url });
  }
  /** An IPC event as ipcMain would deliver it from this webContents' frame at `frameUrl`. */
  ipcEvent(frameUrl: string | null = this.mainFrame.url): ShellIpcEvent {
    return { sender: this, senderFrame: frameUrl === null ? null : { url: frameUrl } };
  }
}

export interface FakeElectronOptions {
  singleInstanceLock?: boolean;
  isPackaged?: boolean;
  encryptionAvailable?: boolean;
  storageBackend?: string;
  /** app.getAppPath() (default /fake/app): the packaged-app tests point it at the extracted asar. */
  appPath?: string;
  /** app.getPath(name) for these names (default /fake/<name>). */
  paths?: Record<string, string>;
  /** app.getVersion() (default 0.0.0-fake). */
  version?: string;
}

export function createFakeElectron(options: FakeElectronOptions = {}) {
  const calls = {
    quit: 0,
    enableSandbox: 0,
    openExternal: [] as string[],
    loadURL: [] as string[],
    focus: 0,
    restore: 0,
    /** Chromium switches appended through app.commandLine, with whether `ready` had happened. */
    switches: [] as { name: string; value: string | undefined; beforeReady: boolean }[],
    /** Exit codes given to app.exit. */
    exit: [] as (number | undefined)[],
    /** crashReporter.start options, with whether `ready` had happened. */
    crashReporter: [] as { options: { uploadToServer: boolean; compress?: boolean }; beforeReady: boolean }[],
  };
  // The log and crash dump folders are written to: a temporary folder of the fake's own, unless given.
  let scratch: string | null = null;
  const writable = (name: string) => path.join((scratch ??= mkdtempSync(path.join(tmpdir(), 'fake-electron-'))), name);
  /** Error boxes shown through dialog.showErrorBox. */
  const errorBoxes: { title: string; content: string }[] = [];
  /** Questions asked through dialog.showMessageBox; `answer` is the button index the fake user presses. */
  const messageBoxes: { title: string; message: string; detail?: string; buttons: string[] }[] = [];
  const dialogState = { answer: 0 };
  /** Save dialogs shown; `saveAnswer` is the path the fake user picks (null: Avbryt). */
  const saveDialogs: { title: string; defaultPath: string; filters: { name: string; extensions: string[] }[] }[] = [];
  const saveState: { saveAnswer: string | null } = { saveAnswer: null };
  let ready = false;

  const fakeApp = Object.assign(new EventEmitter(), {
    isPackaged: options.isPackaged ?? false,
    requestSingleInstanceLock: () => options.singleInstanceLock ?? true,
    quit: () => void calls.quit++,
    exit: (code?: number) => void calls.exit.push(code),
    enableSandbox: () => void calls.enableSandbox++,
    whenReady: () => {
      ready = true;
      return Promise.resolve();
    },
    commandLine: { appendSwitch: (name: string, value?: string) => void calls.switches.push({ name, value, beforeReady: !ready }) },
    getAppPath: () => options.appPath ?? '/fake/app',
    getPath: (name: string) => options.paths?.[name] ?? (name === 'logs' || name === 'crashDumps' ? writable(name) : `/fake/${name}`),
    getVersion: () => options.version ?? '0.0.0-fake',
  });

  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    minimized = false;
    destroyed = false;
    shown = false;
    constructor(readonly options: BrowserWindowConstructorOptions) {
      super();
      windows.push(this);
      // As in Electron: every new webContents is announced on the app.
      fakeApp.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string): Promise<void> {
      calls.loadURL.push(url);
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    isDestroyed = () => this.destroyed;
    isMinimized = () => this.minimized;
    restore = () => {
      calls.restore++;
      this.minimized = false;
    };
    focus = () => void calls.focus++;
    show = () => {
      this.shown = true;
    };
    destroy = () => {
      this.destroyed = true;
    };
  }

  type Handler = (event: ShellIpcEvent, ...args: unknown[]) => unknown;
  const ipcHandlers = new Map<string, Handler>();
  const ipcMain = {
    handle(channel: string, listener: Handler) {
      if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipcHandlers.set(channel, listener);
    },
    removeHandler(channel: string) {
      ipcHandlers.delete(channel);
    },
    /** Calls a handler as a renderer's ipcRenderer.invoke would. */
    async invoke(channel: string, event: ShellIpcEvent, ...args: unknown[]): Promise<unknown> {
      const h = ipcHandlers.get(channel);
      if (!h) throw new Error(`No handler registered for '${channel}'`);
      return h(event, ...args);
    },
  };

  const privilegedSchemes: CustomScheme[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  const protocol = {
    registerSchemesAsPrivileged(schemes: CustomScheme[]) {
      privilegedSchemes.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
      protocolHandlers.set(scheme, handler);
    },
  };

  type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, cb: (r: HeadersReceivedResponse) => void) => void;
  const sessionState = {
    permissionRequestHandler: null as null | ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void),
    permissionCheckHandler: null as null | ((wc: unknown, permission: string) => boolean),
    headersReceived: null as null | HeadersListener,
  };
  const defaultSession: ShellSession = {
    setPermissionRequestHandler: (h) => void (sessionState.permissionRequestHandler = h),
    setPermissionCheckHandler: (h) => void (sessionState.permissionCheckHandler = h),
    webRequest: { onHeadersReceived: (l) => void (sessionState.headersReceived = l) },
  };

  const safeStorage: ShellSafeStorage & { available: boolean } = {
    available: options.encryptionAvailable ?? true,
    isAsyncEncryptionAvailable() {
      return Promise.resolve(this.available);
    },
    async encryptStringAsync(plain: string) {
      if (!this.available) throw new Error('Encryption is not available.');
      return Buffer.concat([Buffer.from('v10'), Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]);
    },
    async decryptStringAsync(blob: Buffer) {
      if (!this.available) throw new Error('Decryption is not available.');
      if (blob.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return { result: Buffer.from(blob.subarray(3).map((b) => b ^ 0x5a)).toString('utf8'), shouldReEncrypt: false };
    },
    ...(options.storageBackend ? { getSelectedStorageBackend: () => options.storageBackend! } : {}),
  };

  // Renderer side, for the preload.
  const exposed = new Map<string, unknown>();
  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      if (exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      exposed.set(key, api);
    },
  };
  const invoked: { channel: string; args: unknown[] }[] = [];
  const ipcRenderer = Object.assign(new EventEmitter(), {
    /** What the main side answers; tests replace it. */
    reply: (_channel: string, ..._args: unknown[]): unknown => ({ ok: false, error: { code: 'INTERNAL', message: 'no reply set' } }),
    async invoke(channel: string, ...args: unknown[]) {
      invoked.push({ channel, args });
      return ipcRenderer.reply(channel, ...args);
    },
  });

  const electron = {
    app: fakeApp,
    BrowserWindow: FakeBrowserWindow,
    ipcMain,
    protocol,
    session: { defaultSession },
    shell: {
      openExternal: (url: string) => {
        calls.openExternal.push(url);
        return Promise.resolve();
      },
    },
    safeStorage,
    dialog: {
      showErrorBox: (title: string, content: string) => void errorBoxes.push({ title, content }),
      showMessageBox: (o: { title: string; message: string; detail?: string; buttons: string[] }) => {
        messageBoxes.push({ title: o.title, message: o.message, ...(o.detail ? { detail: o.detail } : {}), buttons: o.buttons });
        return Promise.resolve({ response: dialogState.answer });
      },
      showSaveDialog: (o: { title: string; defaultPath: string; filters: { name: string; extensions: string[] }[] }) => {
        saveDialogs.push({ title: o.title, defaultPath: o.defaultPath, filters: o.filters });
        const filePath = saveState.saveAnswer;
        return Promise.resolve(filePath === null ? { canceled: true } : { canceled: false, filePath });
      },
    },
    crashReporter: { start: (o: { uploadToServer: boolean; compress?: boolean }) => void calls.crashReporter.push({ options: o, beforeReady: !ready }) },
    contextBridge,
    ipcRenderer,
  };
  // The fake must fit what the shell asks of Electron.
  const _fits: ShellElectron = electron;

  return {
    electron,
    calls,
    windows,
    ipcHandlers,
    privilegedSchemes,
    protocolHandlers,
    session: sessionState,
    errorBoxes,
    messageBoxes,
    dialog: dialogState,
    saveDialogs,
    save: saveState,
    exposed,
    invoked,
    /** Fires an app event (e.g. 'second-instance', 'will-quit') with a preventDefault spy. */
    emitApp(event: string, ...args: unknown[]): FiredEvent {
      const ev = firedEvent();
      fakeApp.emit(event, ev, ...args);
      return ev;
    },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
