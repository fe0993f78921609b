import type { BrowserWindowConstructorOptions, CustomScheme, HeadersReceivedResponse, WindowOpenHandlerResponse } from 'electron';

/**
 * The part of Electron the shell uses, as narrow structural types. The real module satisfies them
 * (index.ts passes it in, and tsc checks that); unit tests pass a fake (test/support/fake-electron.ts).
 */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface ShellWebContents {
  readonly id: number;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent & { url?: string }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenHandlerResponse): void;
  send(channel: string, ...args: unknown[]): void;
  /** The system print dialog for this page (not silent); `reason` is 'cancelled' when the user cancels. */
  print(options: { silent: boolean; printBackground: boolean }, callback: (success: boolean, failureReason: string) => void): void;
}

export interface ShellWindow {
  readonly webContents: ShellWebContents;
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
  show(): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  destroy(): void;
}

export interface ShellApp {
  readonly isPackaged: boolean;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  /** Quits at once with an exit code, without 'will-quit' (nothing to close yet). */
  exit(exitCode?: number): void;
  enableSandbox(): void;
  whenReady(): Promise<void>;
  getAppPath(): string;
  getPath(name: 'userData' | 'documents' | 'logs' | 'crashDumps'): string;
  /** Chromium switches; only those set before `ready` take effect (the UI language: lang). */
  readonly commandLine: { appendSwitch(name: string, value?: string): void };
  on(event: 'second-instance' | 'window-all-closed', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: ShellWebContents) => void): unknown;
  on(event: 'will-quit', listener: (event: PreventableEvent) => void): unknown;
}

/** What an `ipcMain.handle` listener receives. */
export interface ShellIpcEvent {
  readonly sender: ShellWebContents;
  /** The frame that sent the message; null if it navigated away or was destroyed meanwhile. */
  readonly senderFrame: { readonly url: string } | null;
}

export interface ShellSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  readonly webRequest: {
    onHeadersReceived(
      listener: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: HeadersReceivedResponse) => void) => void,
    ): void;
  };
}

export interface ShellSafeStorage {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: which OS secret store backs the encryption ("basic_text" is a hard-coded password). */
  getSelectedStorageBackend?(): string;
}

export interface SaveDialogOptions {
  title: string;
  buttonLabel: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
  properties: 'showOverwriteConfirmation'[];
}

export interface ShellElectron {
  app: ShellApp;
  /** Minidumps of a crash kept on the PC (uploadToServer false), in app.getPath('crashDumps'). */
  crashReporter: { start(options: { uploadToServer: boolean; compress?: boolean }): void };
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => ShellWindow;
  ipcMain: {
    handle(channel: string, listener: (event: ShellIpcEvent, ...args: unknown[]) => unknown): void;
    removeHandler(channel: string): void;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
  session: { readonly defaultSession: ShellSession };
  shell: { openExternal(url: string): Promise<void> };
  /** Wraps the local store's key (SafeStorageKeyVault); usable only after `ready`. */
  safeStorage: ShellSafeStorage;
  dialog: {
    /** A modal error box, usable before any window exists: how a failed start is told to the user. */
    showErrorBox(title: string, content: string): void;
    /** "Spara som PDF": where to write the file; canceled when the user closes it. */
    showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
    /** A question with buttons (the update's "Starta om nu"); resolves with the index of the button pressed. */
    showMessageBox(options: {
      type: 'question';
      title: string;
      message: string;
      detail?: string;
      buttons: string[];
      defaultId: number;
      cancelId: number;
    }): Promise<{ response: number }>;
  };
}
