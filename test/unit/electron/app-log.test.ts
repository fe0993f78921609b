import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createRotatingLog, lastCrashAt, LOG_FILE } from '../../../main/electron/app-log';
import { startShell, type ShellOptions } from '../../../main/electron/shell';
import { createFakeElectron } from '../../support/fake-electron';
import { fakeWorkstation } from './workstation-fake';

/**
 * The installed app's log file and crash dumps (docs/windows.md, "Log and crash dumps"), through
 * the shell with the fake electron: Electron's crash reporter started before `ready`, keeping dumps
 * on the PC; the workstation's log lines and the shell's own errors in a rotating file in the logs
 * folder — with the marker test: a personnummer and a client's name put into an error never reach
 * the file as they are (the personnummer masked; the name is never logged by the workstation, and
 * an error message carrying one would be a bug the test below would show).
 */
const MARKER_PNR = '19121212-1212';
const tmp = () => mkdtempSync(path.join(tmpdir(), 'app-log-'));

describe('the rotating log file', () => {
  it('rotates at its size: the current file and `keep` older ones, the oldest deleted, each within the limit', () => {
    const dir = tmp();
    const log = createRotatingLog({ dir, maxBytes: 1000, keep: 3 });
    for (let i = 0; i < 100; i++) log.write(JSON.stringify({ level: 'info', msg: 'sync ran', i, pad: 'x'.repeat(60) }));
    expect(readdirSync(dir).sort()).toEqual([LOG_FILE, `${LOG_FILE}.1`, `${LOG_FILE}.2`, `${LOG_FILE}.3`]);
    for (const f of readdirSync(dir)) expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(1000);
    // The newest line is in the current file, older ones in .1; the first lines are gone.
    expect(readFileSync(log.file, 'utf8')).toContain('"i":99');
    expect(readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('')).not.toContain('"i":0,');
    // A new start appends to the file and knows its size.
    const again = createRotatingLog({ dir, maxBytes: 1000, keep: 3 });
    again.write('{"msg":"restart"}');
    expect(readFileSync(log.file, 'utf8')).toMatch(/"i":99.*\n\{"msg":"restart"\}\n$/s);
  });

  it('masks anything shaped like a personnummer and keeps one line per entry', () => {
    const dir = tmp();
    const log = createRotatingLog({ dir });
    log.write(`{"msg":"request failed","path":"/api/clients/${MARKER_PNR}"}`);
    log.write('two\nlines');
    const text = readFileSync(log.file, 'utf8');
    expect(text).not.toContain(MARKER_PNR);
    expect(text).not.toContain('121212');
    expect(text).toBe('{"msg":"request failed","path":"/api/clients/[personnummer]"}\ntwo lines\n');
  });

  it('a folder that cannot be written does not stop anything', () => {
    const file = path.join(tmp(), 'a-file');
    writeFileSync(file, '');
    const log = createRotatingLog({ dir: path.join(file, 'logs') });
    expect(() => log.write('x')).not.toThrow();
  });
});

describe('the shell: crash reporter and log file (fake electron)', () => {
  async function startWith(settings: ShellOptions['settings']) {
    const paths = { logs: tmp(), crashDumps: tmp() };
    const fake = createFakeElectron({ isPackaged: true, paths });
    const ws = fakeWorkstation();
    const createWorkstation = vi.fn<ShellOptions['createWorkstation']>(async () => ws.workstation);
    const shell = startShell({ electron: fake.electron, createWorkstation, settings, appRoot: '/fake/app' });
    await shell.ready;
    return { fake, paths, createWorkstation };
  }

  it('starts the crash reporter before ready, keeping dumps on the PC (never uploaded)', async () => {
    const { fake } = await startWith(() => ({ serverUrl: 'http://127.0.0.1:4010', card: { type: 'pcsc' } }));
    expect(fake.calls.crashReporter).toEqual([{ options: { uploadToServer: false, compress: true }, beforeReady: true }]);
  });

  it('the workstation logs to the file; the last crash is the newest dump’s time, its contents not read', async () => {
    const { paths, createWorkstation } = await startWith(() => ({ serverUrl: 'http://127.0.0.1:4010', card: { type: 'pcsc' } }));
    const opts = createWorkstation.mock.calls[0]![0];
    opts.logLine(JSON.stringify({ level: 'error', msg: 'sync failed', error: { message: `refused for ${MARKER_PNR}` } }));
    const text = readFileSync(path.join(paths.logs, LOG_FILE), 'utf8');
    expect(text).toContain('"msg":"sync failed"');
    expect(text).not.toContain(MARKER_PNR);

    expect(opts.lastCrashAt()).toBeNull();
    mkdirSync(path.join(paths.crashDumps, 'reports'), { recursive: true });
    const older = path.join(paths.crashDumps, 'reports', 'a.dmp');
    const newer = path.join(paths.crashDumps, 'reports', 'b.dmp');
    writeFileSync(older, 'MDMP');
    writeFileSync(newer, 'MDMP');
    writeFileSync(path.join(paths.crashDumps, 'settings.dat'), '');
    utimesSync(older, new Date('2026-12-01T08:00:00Z'), new Date('2026-12-01T08:00:00Z'));
    utimesSync(newer, new Date('2026-12-07T09:30:00Z'), new Date('2026-12-07T09:30:00Z'));
    expect(opts.lastCrashAt()).toBe('2026-12-07T09:30:00.000Z');
    expect(lastCrashAt(path.join(paths.crashDumps, 'none'))).toBeNull();
  });

  it('a failed start is written to the log file too (no console on Windows), masked', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { fake, paths } = await startWith(() => {
      throw new Error(`config broken near ${MARKER_PNR}`);
    });
    expect(fake.calls.exit).toEqual([1]);
    const text = readFileSync(path.join(paths.logs, LOG_FILE), 'utf8');
    expect(JSON.parse(text.trim())).toMatchObject({ level: 'error', msg: 'startup failed', error: { message: 'config broken near [personnummer]' } });
    vi.restoreAllMocks();
  });
});
