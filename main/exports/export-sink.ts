import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExportDelivery } from '#contract';

/** A document the user exports: the PDF, and the same content as HTML for a print dialog. */
export interface ExportDocument {
  /** In Swedish local time, without name or personnummer: "journal-2026-12-24-1430.pdf". */
  fileName: string;
  pdf: Buffer;
  /** Printable HTML (the Electron shell prints it through the system dialog); a document without it is only saved. */
  html?: string;
}

export type ExportHow = 'save' | 'print';

/**
 * Where an export goes is the host's business: the Electron shell asks with its save or print
 * dialog, the browser host hands out a download, and without a host (tests, benchmarks) the file
 * is written to the exports folder. The services build the document and log the export; the sink
 * delivers it.
 */
export interface ExportSink {
  deliver(doc: ExportDocument, how: ExportHow): Promise<ExportDelivery>;
}

/** The sink without a host: `<dataDir>/exports/<fileName>`, mode 0600. Printing is not possible there. */
export function folderSink(dir: string): ExportSink {
  return {
    async deliver(doc) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, doc.fileName);
      await writeFile(file, doc.pdf, { mode: 0o600 });
      return { kind: 'file', path: file };
    },
  };
}

/** Swedish local time for a file name: "2026-12-24-1430" (Europe/Stockholm, whatever the machine's zone). */
export function swedishFileStamp(at: Date): string {
  const parts = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}-${parts.hour}${parts.minute}${parts.second}`;
}
