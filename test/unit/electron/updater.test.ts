import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startShell } from '../../../main/electron/shell';
import { NSIS_UNINSTALLER, selfUpdating, signedPublishers, startUpdates, type Updates, type UpdaterApi } from '../../../main/electron/updater';
import { createFakeElectron } from '../../support/fake-electron';
import { fakeWorkstation } from './workstation-fake';

/**
 * Automatic updates: only for a signed build, from the configured feed, and never over unsent
 * writes. electron-updater itself (network, download, signature check) is the edge: a fake here.
 */
class FakeUpdater extends EventEmitter implements UpdaterApi {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  feeds: unknown[] = [];
  checks = 0;
  installs: [boolean | undefined, boolean | undefined][] = [];
  setFeedURL(options: { provider: 'generic'; url: string }) {
    this.feeds.push(options);
  }
  checkForUpdates() {
    this.checks++;
    return Promise.resolve(null);
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean) {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

const FEED = 'https://uppdatering.kommun.example/omsorgsportalen/';
/** A resources folder as electron-builder leaves it for a signed (or unsigned) build. */
function resources(publisher: string | null): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'resources-'));
  writeFileSync(
    path.join(dir, 'app-update.yml'),
    `provider: generic\nurl: https://uppdatering.invalid/omsorgsportalen/\nupdaterCacheDirName: omsorgsportalen-updater\n${publisher ? `publisherName:\n  - ${publisher}\n` : ''}`,
  );
  return dir;
}
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

let running: Updates | null = null;
afterEach(() => running?.stop());

function start(o: { publisher?: string | null; pending?: () => number; answer?: boolean } = {}) {
  const updater = new FakeUpdater();
  const asked: string[] = [];
  running = startUpdates({
    updater,
    feedUrl: FEED,
    resourcesPath: resources(o.publisher === undefined ? 'Omsorgsportalen AB' : o.publisher),
    pendingWrites: async () => (o.pending ? o.pending() : 0),
    askRestart: async (v) => {
      asked.push(v);
      return o.answer ?? true;
    },
    outboxPollMs: 10,
    log: () => undefined,
  });
  return { updater, asked, updates: running };
}

describe('automatic updates', () => {
  it('reads the publisher an update must be signed by from app-update.yml', () => {
    expect(signedPublishers(resources('Omsorgsportalen AB'))).toEqual(['Omsorgsportalen AB']);
    expect(signedPublishers(resources(null))).toEqual([]);
    expect(signedPublishers(mkdtempSync(path.join(tmpdir(), 'empty-')))).toEqual([]);
  });

  it('an unsigned build does not update itself: nothing could check the download’s signature', () => {
    const { updater, updates } = start({ publisher: null });
    expect(updates.enabled).toBe(false);
    expect(updater.feeds).toEqual([]);
    expect(updater.checks).toBe(0);
  });

  it('on Windows only the NSIS (per-user) installation updates itself; the MSI one is IT’s to update', () => {
    // install folder/resources, as each installer leaves it: NSIS puts its uninstaller beside the executable.
    const install = (nsis: boolean) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'install-'));
      const res = path.join(dir, 'resources');
      mkdirSync(res);
      writeFileSync(path.join(res, 'app-update.yml'), readFileSync(path.join(resources('Omsorgsportalen AB'), 'app-update.yml')));
      if (nsis) writeFileSync(path.join(dir, NSIS_UNINSTALLER), '');
      return res;
    };
    expect(selfUpdating(install(true), 'win32')).toBe(true);
    expect(selfUpdating(install(false), 'win32')).toBe(false);
    expect(selfUpdating(install(false), 'linux')).toBe(true);
    const updater = new FakeUpdater();
    const logged: string[] = [];
    const msi = startUpdates({ updater, feedUrl: FEED, resourcesPath: install(false), platform: 'win32', pendingWrites: async () => 0, askRestart: async () => true, log: (m) => logged.push(m) });
    expect(msi.enabled).toBe(false);
    expect(updater.feeds).toEqual([]);
    expect(logged).toEqual(['Automatiska uppdateringar är avstängda: appen är installerad med MSI och uppdateras av IT-avdelningen.']);
    running = startUpdates({ updater, feedUrl: FEED, resourcesPath: install(true), platform: 'win32', pendingWrites: async () => 0, askRestart: async () => true, log: () => undefined });
    expect(running.enabled).toBe(true);
  });

  it('a signed build looks for updates on the configured generic feed, downloading in the background', () => {
    const { updater, updates } = start();
    expect(updates.enabled).toBe(true);
    expect(updater.feeds).toEqual([{ provider: 'generic', url: FEED }]);
    expect(updater.autoDownload).toBe(true);
    expect(updater.checks).toBe(1);
  });

  it('with the outbox empty the user is asked, and "Starta om nu" installs', async () => {
    const { updater, asked } = start({ answer: true });
    updater.emit('update-downloaded', { version: '0.2.0' });
    await tick();
    expect(asked).toEqual(['0.2.0']);
    expect(updater.installs).toEqual([[true, true]]);
  });

  it('while writes wait in the outbox the update waits, and asks only once they are sent', async () => {
    let pending = 3;
    const { updater, asked } = start({ pending: () => pending, answer: true });
    updater.emit('update-downloaded', { version: '0.2.0' });
    await tick(50);
    expect(asked).toEqual([]);
    expect(updater.installs).toEqual([]);
    pending = 0;
    await tick(50);
    expect(asked).toEqual(['0.2.0']);
    expect(updater.installs).toEqual([[true, true]]);
  });

  it('"Senare" leaves it to install when the app quits', async () => {
    const { updater, asked } = start({ answer: false });
    updater.emit('update-downloaded', { version: '0.2.0' });
    await tick();
    expect(asked).toEqual(['0.2.0']);
    expect(updater.installs).toEqual([]);
    expect(updater.autoInstallOnAppQuit).toBe(true);
  });

  it('a write saved while the question was open holds the restart back until it is sent', async () => {
    const answers = [0, 1, 1, 0];
    let calls = 0;
    const { updater } = start({ pending: () => answers[Math.min(calls++, answers.length - 1)]!, answer: true });
    updater.emit('update-downloaded', { version: '0.2.0' });
    await tick(20);
    expect(calls).toBeGreaterThanOrEqual(2);
    await tick(80);
    expect(updater.installs).toEqual([[true, true]]);
    expect(calls).toBeGreaterThanOrEqual(4);
  });
});

describe('the shell and updates', () => {
  async function shellWith(o: { packaged: boolean; feed?: string; pending: number }) {
    const fake = createFakeElectron({ isPackaged: o.packaged });
    fake.dialog.answer = 1; // "Senare"
    const ws = fakeWorkstation();
    ws.dispatch.mockImplementation(async (method: string) => (method === 'sync.status' ? { ok: true, value: { pending: o.pending } } : { ok: true, value: null }));
    const updater = new FakeUpdater();
    let loaded = 0;
    const shell = startShell({
      electron: fake.electron,
      createWorkstation: async () => ws.workstation,
      settings: () => ({ serverUrl: 'https://omsorg.kommun.example', card: { type: 'pcsc' }, ...(o.feed ? { updateFeed: o.feed } : {}) }),
      appRoot: '/fake/app',
      updater: () => {
        loaded++;
        return updater;
      },
      resourcesPath: resources('Omsorgsportalen AB'),
    });
    await shell.ready;
    return { fake, updater, loaded: () => loaded, quit: () => fake.emitApp('will-quit') };
  }

  it('the packaged app with an update feed asks, in Swedish, once the outbox is empty', async () => {
    const s = await shellWith({ packaged: true, feed: FEED, pending: 0 });
    expect(s.updater.feeds).toEqual([{ provider: 'generic', url: FEED }]);
    s.updater.emit('update-downloaded', { version: '0.2.0' });
    await tick();
    expect(s.fake.messageBoxes).toEqual([
      {
        title: 'Uppdatering',
        message: 'Omsorgsportalen 0.2.0 är hämtad.',
        detail: 'Allt du har sparat är skickat till servern. Starta om nu för att installera uppdateringen, eller senare: den installeras då när du avslutar.',
        buttons: ['Starta om nu', 'Senare'],
      },
    ]);
    expect(s.updater.installs).toEqual([]);
    s.quit();
  });

  it('without a feed, or started from the project, electron-updater is not even loaded', async () => {
    const a = await shellWith({ packaged: true, pending: 0 });
    const b = await shellWith({ packaged: false, feed: FEED, pending: 0 });
    expect([a.loaded(), b.loaded()]).toEqual([0, 0]);
    a.quit();
    b.quit();
  });
});
