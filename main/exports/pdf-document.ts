import { createRequire } from 'node:module';
import type PDFDocument from 'pdfkit';

/**
 * Every PDF the workstation makes (journal, plan, access log) starts here: A4, text in DejaVu Sans
 * embedded (subset) in the file. pdfkit's built-in Helvetica has only the WinAnsi characters, so
 * "Łukasz Wiśniewski", "Şahin" or "Наталья" — names of people living in Sweden — came out as
 * garbage in a legal record. DejaVu Sans covers Latin (with Extended A/B), Greek and Cyrillic.
 *
 * The fonts come from the npm package `dejavu-fonts-ttf` (DejaVu 2.37, Bitstream Vera / Arev
 * licence: free to embed and redistribute). It is a runtime dependency, so the bundles leave it
 * external and electron-builder puts it in app.asar; the files are found by module resolution
 * from this file (the bundle's own file in the packaged app), never by a path in the source tree.
 */
export type PdfDoc = InstanceType<typeof PDFDocument>;

let pdfkit: typeof PDFDocument | null = null;

/**
 * pdfkit, loaded at the first PDF rather than at the app's start: with fontkit and the Unicode
 * tables it inflates on load it was a fifth of the main process's start (bench/startup.ts).
 */
export function pdfDocumentClass(): typeof PDFDocument {
  return (pdfkit ??= createRequire(import.meta.url)('pdfkit') as typeof PDFDocument);
}

/** The font names to pass to `doc.font(...)`. */
export const FONT = { regular: 'Sans', bold: 'Sans-Bold', oblique: 'Sans-Oblique' } as const;

const FONT_FILES: Record<(typeof FONT)[keyof typeof FONT], string> = {
  Sans: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  'Sans-Bold': 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  'Sans-Oblique': 'dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf',
};

let paths: Record<string, string> | null = null;

/** The absolute path of each font file, resolved once. */
export function fontPaths(): Record<string, string> {
  if (!paths) {
    const req = createRequire(import.meta.url);
    paths = Object.fromEntries(Object.entries(FONT_FILES).map(([name, spec]) => [name, req.resolve(spec)]));
  }
  return paths;
}

export interface NewPdf {
  doc: PdfDoc;
  /** The finished file, once `doc.end()` has been called. */
  done: Promise<Buffer>;
}

/** A4 with the given margins and title, the fonts registered and the regular one chosen, pages buffered. */
export function newPdf(title: string, margins: { top: number; bottom: number; left: number; right: number }): NewPdf {
  const PDFDocument = pdfDocumentClass();
  const doc = new PDFDocument({ size: 'A4', margins, bufferPages: true, info: { Title: title, Creator: 'Omsorgsportalen' } });
  for (const [name, file] of Object.entries(fontPaths())) doc.registerFont(name, file);
  doc.font(FONT.regular);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}
