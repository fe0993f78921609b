import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Automatic updates (docs/windows.md, "Updates"): electron-updater's generic provider, from the
 * https feed the machine configuration names. electron-updater downloads the new installer in the
 * background and checks its sha512 against the feed's latest.yml, and — because the app is signed —
 * its Authenticode signature against the publisher recorded in the app's own app-update.yml.
 * An unsigned build records no publisher, so it does not update itself at all.
 *
 * Installing restarts the app. That never happens over unsent writes: while the outbox holds
 * writes not yet on the server, the update waits; once it is empty the user is asked, and "Senare"
 * installs it at the next quit instead.
 */

/** The part of electron-updater's autoUpdater used here (an edge: tests pass a fake). */
export interface UpdaterApi {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface UpdatesOptions {
  updater: UpdaterApi;
  /** The machine configuration's updateFeed (https, checked there). */
  feedUrl: string;
  /** Writes saved here but not yet on the server (the outbox); 0 when nobody is logged in — their outbox waits safely in their store. */
  pendingWrites(): Promise<number>;
  /** Asks the user whether to restart now; true: restart. */
  askRestart(version: string): Promise<boolean>;
  /** Where app-update.yml is (process.resourcesPath when packaged). */
  resourcesPath: string;
  /** How often to look for updates (default 4 h) and, with one downloaded, whether the outbox has emptied (default 30 s). */
  checkEveryMs?: number;
  outboxPollMs?: number;
  log?(msg: string): void;
  /** Default process.platform (tests: win32). */
  platform?: NodeJS.Platform;
}

/**
 * The NSIS installation's uninstaller, beside the executable (one folder above resources/). The MSI
 * has none: its installs are IT's (group policy, Intune), so the app's own updater stays off there —
 * an NSIS update run over an MSI install would leave two installations and an MSI that no longer
 * matches what is on disk.
 */
export const NSIS_UNINSTALLER = 'Uninstall Omsorgsportalen.exe';

/** Whether this installation updates itself: on Windows only the NSIS (per-user) one. */
export const selfUpdating = (resourcesPath: string, platform: NodeJS.Platform = process.platform): boolean =>
  platform !== 'win32' || existsSync(path.join(path.dirname(resourcesPath), NSIS_UNINSTALLER));

export interface Updates {
  /** Whether updates are on (a signed build with a configured feed). */
  readonly enabled: boolean;
  stop(): void;
}

/** The publisher names an update's signature must carry, from the app's app-update.yml; empty for an unsigned build. */
export function signedPublishers(resourcesPath: string): string[] {
  let text: string;
  try {
    text = readFileSync(path.join(resourcesPath, 'app-update.yml'), 'utf8');
  } catch {
    return [];
  }
  // electron-builder writes `publisherName:` followed by a YAML list, one `  - name` a line.
  const m = /^publisherName:\s*\n((?:\s+-\s+.+\n?)+)/m.exec(text);
  return m ? m[1]!.split('\n').map((l) => l.replace(/^\s+-\s+/, '').replace(/^['"]|['"]$/g, '').trim()).filter(Boolean) : [];
}

export function startUpdates(opts: UpdatesOptions): Updates {
  const log = opts.log ?? ((msg: string) => console.error(JSON.stringify({ level: 'info', msg })));
  if (!selfUpdating(opts.resourcesPath, opts.platform)) {
    log('Automatiska uppdateringar är avstängda: appen är installerad med MSI och uppdateras av IT-avdelningen.');
    return { enabled: false, stop: () => undefined };
  }
  if (signedPublishers(opts.resourcesPath).length === 0) {
    log('Automatiska uppdateringar är avstängda: appen är inte kodsignerad, så en hämtad uppdaterings signatur kan inte kontrolleras.');
    return { enabled: false, stop: () => undefined };
  }
  const { updater } = opts;
  updater.autoDownload = true;
  // "Senare": the downloaded update installs when the app quits (its outbox is kept on disk).
  updater.autoInstallOnAppQuit = true;
  updater.setFeedURL({ provider: 'generic', url: opts.feedUrl });

  let stopped = false;
  let waiting: ReturnType<typeof setTimeout> | null = null;
  const check = () => void updater.checkForUpdates().catch((e: unknown) => log(`Uppdateringskontrollen misslyckades: ${(e as Error).message}`));
  updater.on('error', (e) => log(`Uppdateringen misslyckades: ${e.message}`));
  updater.on('update-downloaded', ({ version }) => {
    const offer = async (): Promise<void> => {
      waiting = null;
      if (stopped) return;
      if ((await opts.pendingWrites()) > 0) {
        waiting = setTimeout(() => void offer(), opts.outboxPollMs ?? 30_000);
        return;
      }
      if (!(await opts.askRestart(version))) return;
      // Asked and answered: one more look, in case a write was saved while the question was open.
      if ((await opts.pendingWrites()) > 0) {
        waiting = setTimeout(() => void offer(), opts.outboxPollMs ?? 30_000);
        return;
      }
      updater.quitAndInstall(true, true);
    };
    void offer();
  });
  check();
  const timer = setInterval(check, opts.checkEveryMs ?? 4 * 3_600_000);
  timer.unref?.();
  return {
    enabled: true,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      if (waiting) clearTimeout(waiting);
    },
  };
}
