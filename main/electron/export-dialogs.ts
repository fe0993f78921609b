import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExportSink } from '../exports/export-sink';
import type { ShellElectron } from './electron-api';

/**
 * Exports in the Electron shell: "Spara som PDF" through the system save dialog (the user chooses
 * where; the Documents folder is offered), and "Skriv ut" through the system print dialog, printing
 * the journal's HTML from a hidden window that runs no scripts and is closed afterwards.
 */
export function dialogExportSink(electron: Pick<ShellElectron, 'app' | 'dialog' | 'BrowserWindow'>): ExportSink {
  const { app, dialog, BrowserWindow } = electron;
  return {
    async deliver(doc, how) {
      if (how === 'save') {
        const answer = await dialog.showSaveDialog({
          title: 'Spara som PDF',
          buttonLabel: 'Spara',
          defaultPath: path.join(app.getPath('documents'), doc.fileName),
          filters: [{ name: 'PDF-dokument', extensions: ['pdf'] }],
          properties: ['showOverwriteConfirmation'],
        });
        if (answer.canceled || !answer.filePath) return { kind: 'cancelled' };
        await writeFile(answer.filePath, doc.pdf, { mode: 0o600 });
        return { kind: 'saved', path: answer.filePath };
      }
      if (doc.html === undefined) throw new Error('this document can only be saved, not printed from here');
      const printer = new BrowserWindow({
        show: false,
        webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false },
      });
      try {
        await printer.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(doc.html)}`);
        const outcome = await new Promise<{ ok: boolean; reason: string }>((resolve) =>
          printer.webContents.print({ silent: false, printBackground: false }, (ok, reason) => resolve({ ok, reason })),
        );
        if (outcome.ok) return { kind: 'printed' };
        if (outcome.reason === 'cancelled') return { kind: 'cancelled' };
        throw new Error(`Utskriften misslyckades: ${outcome.reason}`);
      } finally {
        printer.destroy();
      }
    },
  };
}
