import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startShell, type ShellOptions } from '../../../main/electron/shell';
import type { ExportSink } from '../../../main/exports/export-sink';
import { createFakeElectron, type FakeElectron } from '../../support/fake-electron';
import { fakeWorkstation } from './workstation-fake';

/**
 * The Electron shell's export dialogs and its UI language, against the fake electron module: what
 * the shell asks of Electron (the save dialog, a hidden window printed through the system dialog,
 * the lang switch) and what it makes of the user's answer.
 */
let fake: FakeElectron;
let sink: ExportSink;
const doc = { fileName: 'journal-2026-12-24-143000.pdf', pdf: Buffer.from('%PDF-1.7 fake'), html: '<!doctype html><h1>Verkställighetsjournal</h1><p>Andersson, Anna</p>' };

beforeEach(async () => {
  fake = createFakeElectron({ paths: { documents: '/home/sara/Dokument' } });
  const ws = fakeWorkstation();
  const createWorkstation = vi.fn<ShellOptions['createWorkstation']>(async () => ws.workstation);
  const shell = startShell({ electron: fake.electron, createWorkstation, settings: () => ({ serverUrl: 'http://127.0.0.1:4010', card: { type: 'pcsc' } }), appRoot: '/fake/app' });
  await shell.ready;
  expect(ws.exportSinks).toHaveLength(1);
  sink = ws.exportSinks[0]!;
});

describe('the shell speaks Swedish', () => {
  it("sets Chromium's UI language to sv-SE before ready (validation texts, print preview)", () => {
    expect(fake.calls.switches).toContainEqual({ name: 'lang', value: 'sv-SE', beforeReady: true });
  });
});

describe('Spara som PDF', () => {
  it('asks where with the save dialog (Documents and the Swedish-time name offered, PDF filter) and writes the PDF there', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'export-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    fake.save.saveAnswer = path.join(dir, 'Annas journal.pdf');
    const out = await sink.deliver(doc, 'save');
    expect(out).toEqual({ kind: 'saved', path: path.join(dir, 'Annas journal.pdf') });
    expect(readFileSync(path.join(dir, 'Annas journal.pdf')).toString()).toBe('%PDF-1.7 fake');
    expect(fake.saveDialogs).toEqual([{ title: 'Spara som PDF', defaultPath: '/home/sara/Dokument/journal-2026-12-24-143000.pdf', filters: [{ name: 'PDF-dokument', extensions: ['pdf'] }] }]);
  });

  it('writes nothing when the user cancels', async () => {
    fake.save.saveAnswer = null;
    expect(await sink.deliver(doc, 'save')).toEqual({ kind: 'cancelled' });
    expect(existsSync('/home/sara/Dokument/journal-2026-12-24-143000.pdf')).toBe(false);
  });
});

describe('Skriv ut', () => {
  const printerWindow = () => fake.windows.find((w) => w.options.show === false && w.options.webPreferences?.javascript === false);

  it('prints the journal page from a hidden window without scripts through the system dialog, then closes it', async () => {
    const out = await sink.deliver(doc, 'print');
    expect(out).toEqual({ kind: 'printed' });
    const w = printerWindow();
    expect(w).toBeDefined();
    expect(w!.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(decodeURIComponent(fake.calls.loadURL.find((u) => u.startsWith('data:text/html'))!)).toContain('<h1>Verkställighetsjournal</h1>');
    expect(w!.webContents.printed).toEqual([{ silent: false, printBackground: false }]);
    expect(w!.destroyed).toBe(true);
  });

  it('says cancelled when the user closes the print dialog, and closes the window', async () => {
    const pending = sink.deliver(doc, 'print');
    // The window exists once loadURL is called; the fake user answers the dialog with Avbryt.
    await vi.waitFor(() => expect(printerWindow()).toBeDefined());
    printerWindow()!.webContents.printAnswer = { success: false, reason: 'cancelled' };
    expect(await pending).toEqual({ kind: 'cancelled' });
    expect(printerWindow()!.destroyed).toBe(true);
  });
});
